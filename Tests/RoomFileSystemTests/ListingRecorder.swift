import Foundation
import ObjectStore

/// A store that records what is listed, to show what discovery costs.
actor ListingRecorder: ObjectStore {
    let inner: MemoryStore
    /// Object listings, by prefix.
    private(set) var listings: [String] = []
    /// Folder listings, by prefix.
    private(set) var folderListings: [String] = []

    init(inner: MemoryStore) {
        self.inner = inner
    }

    nonisolated var locationDescription: String { "recording" }

    func forget() {
        listings = []
        folderListings = []
    }

    func list(prefix: String, startAfter: String?) async throws(StoreError) -> [ObjectInfo] {
        listings.append(prefix)
        return try await inner.list(prefix: prefix, startAfter: startAfter)
    }

    func listFolders(prefix: String) async throws(StoreError) -> [String] {
        folderListings.append(prefix)
        return try await inner.listFolders(prefix: prefix)
    }

    func get(_ key: ObjectKey) async throws(StoreError) -> Data { try await inner.get(key) }

    func head(_ key: ObjectKey) async throws(StoreError) -> ObjectInfo? { await inner.head(key) }

    func putIfAbsent(_ key: ObjectKey, _ bytes: Data) async throws(StoreError) -> PutOutcome { await inner.putIfAbsent(key, bytes) }
}
