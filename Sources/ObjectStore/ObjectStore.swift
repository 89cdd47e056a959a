import Foundation

/// A write-once object store: objects are created once and never overwritten
/// or deleted (PROTOCOL.md §1).
public protocol ObjectStore: Sendable {
    /// Where the store lives, for messages (`/path`, `s3://bucket/prefix`, ...).
    var locationDescription: String { get }

    /// Every object whose key starts with `prefix` and sorts after
    /// `startAfter` (byte order; nil: from the start), in byte order of key,
    /// across all pages. Readers that poll use `startAfter` so each poll costs
    /// requests for what is new, not for everything the prefix ever held.
    func list(prefix: String, startAfter: String?) async throws(StoreError) -> [ObjectInfo]

    /// The object's bytes; throws `.notFound` when there is none.
    func get(_ key: ObjectKey) async throws(StoreError) -> Data

    /// The object's size and etag, or nil when there is none.
    func head(_ key: ObjectKey) async throws(StoreError) -> ObjectInfo?

    /// Creates the object unless the key is taken; never overwrites.
    func putIfAbsent(_ key: ObjectKey, _ bytes: Data) async throws(StoreError) -> PutOutcome
}

extension ObjectStore {
    /// Every object whose key starts with `prefix`, in byte order of key, across all pages.
    public func list(prefix: String) async throws(StoreError) -> [ObjectInfo] {
        try await list(prefix: prefix, startAfter: nil)
    }
}

extension ObjectInfo {
    /// Whether the key sorts after `bound` in byte order (always true without a bound).
    public func isAfter(_ bound: String?) -> Bool {
        guard let bound else { return true }
        return bound.utf8.lexicographicallyPrecedes(key.utf8)
    }
}
