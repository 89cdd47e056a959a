/// One object as a listing or `head` reports it.
public struct ObjectInfo: Hashable, Sendable {
    /// The key relative to the store's root or prefix, exactly as stored. A
    /// listing may include keys that other tools wrote and `ObjectKey` rejects;
    /// validate before fetching.
    public let key: String
    public let size: Int
    /// The backend's entity tag (S3 ETag, GCS etag, a local file's identity),
    /// opaque: equal tags mean unchanged bytes on the same backend.
    public let etag: String

    public init(key: String, size: Int, etag: String) {
        self.key = key
        self.size = size
        self.etag = etag
    }
}
