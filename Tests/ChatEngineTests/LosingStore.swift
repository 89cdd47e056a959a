import Foundation
import ObjectStore

/// A memory store that loses objects, as a bucket whose operator (or a
/// lifecycle rule) deletes files: a lost key is no longer listed and reads as
/// not found. A key can also be lost between a listing and the read of it.
actor LosingStore: ObjectStore {
    let inner = MemoryStore()
    private var lost: Set<String> = []
    private var loseWhenRead: Set<String> = []

    nonisolated var locationDescription: String { "losing:" }

    /// Loses `key` now.
    func lose(_ key: String) { lost.insert(key) }

    /// Keeps listing `key` until someone reads it; that read finds nothing.
    func loseOnRead(_ key: String) { loseWhenRead.insert(key) }

    func list(prefix: String, startAfter: String?) async throws(StoreError) -> [ObjectInfo] {
        try await inner.list(prefix: prefix, startAfter: startAfter).filter { !lost.contains($0.key) }
    }

    func get(_ key: ObjectKey) async throws(StoreError) -> Data {
        if loseWhenRead.remove(key.rawValue) != nil { lost.insert(key.rawValue) }
        guard !lost.contains(key.rawValue) else { throw StoreError(.notFound, "No object \"\(key)\" in \(locationDescription).") }
        return try await inner.get(key)
    }

    func head(_ key: ObjectKey) async throws(StoreError) -> ObjectInfo? {
        lost.contains(key.rawValue) ? nil : await inner.head(key)
    }

    func putIfAbsent(_ key: ObjectKey, _ bytes: Data) async throws(StoreError) -> PutOutcome {
        await inner.putIfAbsent(key, bytes)
    }
}
