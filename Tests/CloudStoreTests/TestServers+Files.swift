import CloudHTTP
import Foundation
import GCSStore
import ObjectStore
import S3Store

/// Stores whose multipart and resumable thresholds are as small as the
/// services allow, so the file tests cross them with a few MiB.
extension TestServers {
    /// S3's smallest part (5 MiB); files from 5 MiB + 1 byte go up in parts.
    static let s3PartSize = S3Configuration.minimumPartSize

    /// GCS's smallest chunk (256 KiB); files from 1 MiB go up resumably.
    static let gcsChunkSize = GCSConfiguration.chunkGranularity
    static let gcsResumableThreshold: Int64 = 1 << 20

    static func freshS3FileStore(retry: RetryPolicy = .standard, endpoint: String? = s3Endpoint) async throws -> S3Store {
        let bucket = uniqueBucket("s3f")
        try await s3Store(bucket: bucket, credentials: adminCredentials).createBucket()
        return s3Store(bucket: bucket, prefix: "team-a/", endpoint: endpoint, retry: retry,
                       multipartThreshold: s3PartSize + 1, partSize: s3PartSize)
    }

    static func freshGCSFileStore() async throws -> GCSStore {
        let store = gcsStore(bucket: uniqueBucket("gcsf"), prefix: "team-a/",
                             resumableThreshold: gcsResumableThreshold, chunkSize: gcsChunkSize)
        try await store.createBucket(project: "bucketchat-test")
        return store
    }

    /// A file of `size` random bytes in the temporary folder; returns its path and bytes.
    static func randomFile(size: Int) throws -> (path: String, bytes: Data) {
        var generator = SystemRandomNumberGenerator()
        var bytes = Data(count: size)
        bytes.withUnsafeMutableBytes { raw in
            var index = 0
            while index < raw.count {
                let word = generator.next() as UInt64
                for shift in stride(from: 0, to: 64, by: 8) where index < raw.count {
                    raw[index] = UInt8(truncatingIfNeeded: word >> UInt64(shift))
                    index += 1
                }
            }
        }
        let path = NSTemporaryDirectory() + "bucketchat-file-\(UUID().uuidString)"
        try bytes.write(to: URL(fileURLWithPath: path))
        return (path, bytes)
    }

    /// `bytes` written to a temporary file, as a region covering all of them
    /// (what an upload sends a part or chunk from); the file is removed when
    /// the process ends, or by the caller.
    static func region(_ bytes: Data, key: ObjectKey) throws -> FileRegion {
        let path = NSTemporaryDirectory() + "bucketchat-region-\(UUID().uuidString)"
        try bytes.write(to: URL(fileURLWithPath: path))
        let file = try SourceFile(path: path, key: key)
        try? FileManager.default.removeItem(atPath: path)  // the open descriptor keeps the bytes
        return FileRegion(file: file, offset: 0, length: Int64(bytes.count))
    }
}
