import Foundation

/// A write-once object store: objects are created once and never overwritten
/// or deleted (PROTOCOL.md §1).
public protocol ObjectStore: Sendable {
    /// Where the store lives, for messages (`/path`, `s3://bucket/prefix`, ...).
    var locationDescription: String { get }

    /// Whether reading an object here costs no more than reading a copy on
    /// local disk (a local folder): readers then keep no copy of its objects.
    var isLocal: Bool { get }

    /// Every object whose key starts with `prefix` and sorts after
    /// `startAfter` (byte order; nil: from the start), in byte order of key,
    /// across all pages. Readers that poll use `startAfter` so each poll costs
    /// requests for what is new, not for everything the prefix ever held.
    func list(prefix: String, startAfter: String?) async throws(StoreError) -> [ObjectInfo]

    /// The folders directly below `prefix`: for every key that starts with
    /// `prefix` and holds a `/` after it, the key up to and including that
    /// `/`, once each, in byte order. S3 and GCS answer this with a delimited
    /// listing, one request per 1,000 folders whatever the folders hold, so a
    /// caller can learn which rooms a bucket holds without listing every
    /// object of every room.
    func listFolders(prefix: String) async throws(StoreError) -> [String]

    /// The object's bytes; throws `.notFound` when there is none.
    func get(_ key: ObjectKey) async throws(StoreError) -> Data

    /// The object's bytes as an array, what readers keep; throws `.notFound`
    /// when there is none. Stores that can read straight into one do, and
    /// save a copy of every object a large room holds.
    func bytes(_ key: ObjectKey) async throws(StoreError) -> [UInt8]

    /// The object's size and etag, or nil when there is none.
    func head(_ key: ObjectKey) async throws(StoreError) -> ObjectInfo?

    /// Creates the object unless the key is taken; never overwrites.
    func putIfAbsent(_ key: ObjectKey, _ bytes: Data) async throws(StoreError) -> PutOutcome

    /// Creates the object from the file at `path` unless the key is taken;
    /// never overwrites. Stores stream the file (S3 multipart upload above a
    /// threshold, GCS resumable upload, a temporary file in a folder), so
    /// memory holds a few parts whatever the file's size. `progress` hears
    /// the bytes sent so far. For a file, `.alreadyExists(sameBytes:)` tells
    /// whether the sizes match: comparing the bytes would mean downloading
    /// them, and callers of content-addressed keys check the hash on reading.
    func putFileIfAbsent(_ key: ObjectKey, path: String, progress: (@Sendable (Int64) -> Void)?) async throws(StoreError) -> PutOutcome

    /// Streams the object's bytes into `sink`, in order, and returns how many
    /// there were. Throws `.notFound` when there is none, and `.tooLarge`
    /// (having passed at most `maxBytes` to the sink) when it holds more than
    /// `maxBytes`.
    func download(_ key: ObjectKey, into sink: any ObjectSink, maxBytes: Int64) async throws(StoreError) -> Int64

    /// The store's event notifications of created objects, when the backend
    /// has them (S3 through SNS and SQS, GCS through Pub/Sub); nil for a
    /// folder or memory store. Wrappers forward their inner store's.
    var notifications: (any StoreNotifications)? { get }
}

extension ObjectStore {
    public var isLocal: Bool { false }

    public var notifications: (any StoreNotifications)? { nil }

    public func bytes(_ key: ObjectKey) async throws(StoreError) -> [UInt8] {
        Array(try await get(key))
    }

    /// Every object whose key starts with `prefix`, in byte order of key, across all pages.
    public func list(prefix: String) async throws(StoreError) -> [ObjectInfo] {
        try await list(prefix: prefix, startAfter: nil)
    }
}

extension ObjectStore {
    /// Derives the folders from a listing of everything below `prefix`: right
    /// for any store, and what wrappers (tests, counters) get unless they
    /// forward to the store they wrap.
    public func listFolders(prefix: String) async throws(StoreError) -> [String] {
        ObjectInfo.folders(in: try await list(prefix: prefix), below: prefix)
    }
}

extension ObjectInfo {
    /// The folders directly below `prefix` that `infos` (keys starting with
    /// `prefix`, in byte order) lie in, in byte order.
    public static func folders(in infos: [ObjectInfo], below prefix: String) -> [String] {
        var out: [String] = []
        for info in infos where info.key.utf8.starts(with: prefix.utf8) {
            let rest = info.key.utf8.dropFirst(prefix.utf8.count)
            guard let slash = rest.firstIndex(of: 0x2F) else { continue }
            let folder = prefix + String(decoding: rest[..<slash], as: UTF8.self) + "/"
            if out.last != folder { out.append(folder) }
        }
        return out
    }

    /// Whether the key sorts after `bound` in byte order (always true without a bound).
    public func isAfter(_ bound: String?) -> Bool {
        guard let bound else { return true }
        return bound.utf8.lexicographicallyPrecedes(key.utf8)
    }
}
