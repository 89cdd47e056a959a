import ObjectStore

/// A stretch of a `SourceFile` sent as a request body: curl reads it from the
/// file as the request goes out, so no body is ever held in memory whatever
/// its size (S3 parts, GCS chunks).
public struct FileRegion: Sendable {
    public let file: SourceFile
    /// Where the body starts in the file.
    public let offset: Int64
    /// How many bytes the body holds.
    public let length: Int64

    public init(file: SourceFile, offset: Int64, length: Int64) {
        self.file = file
        self.offset = offset
        self.length = length
    }
}

extension FileRegion {
    /// The SHA-256 and MD5 of the region's bytes, read in small chunks.
    public func digests() async throws(StoreError) -> RegionDigests {
        try await file.digests(offset: offset, length: length)
    }
}
