import Foundation

/// A write-once object store: objects are created once and never overwritten
/// or deleted (PROTOCOL.md §1).
public protocol ObjectStore: Sendable {
    /// Where the store lives, for messages (`/path`, `s3://bucket/prefix`, ...).
    var locationDescription: String { get }

    /// Every object whose key starts with `prefix`, in byte order of key,
    /// across all pages.
    func list(prefix: String) async throws(StoreError) -> [ObjectInfo]

    /// The object's bytes; throws `.notFound` when there is none.
    func get(_ key: ObjectKey) async throws(StoreError) -> Data

    /// The object's size and etag, or nil when there is none.
    func head(_ key: ObjectKey) async throws(StoreError) -> ObjectInfo?

    /// Creates the object unless the key is taken; never overwrites.
    func putIfAbsent(_ key: ObjectKey, _ bytes: Data) async throws(StoreError) -> PutOutcome
}
