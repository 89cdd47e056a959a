/// A file's bytes, complete and durable under their SHA-256 in a
/// ``BlobArea``: what a share journals an `m.file` event for.
public struct StoredBlob: Sendable, Equatable {
    /// The lowercase hex SHA-256 of the bytes: the blob's file name and its attachment key.
    public let sha256: String
    public let size: Int64
    /// Where the bytes are.
    public let path: String
}
