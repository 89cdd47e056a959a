import Foundation
import ObjectStore

/// A store whose attachment downloads wait until ``open()`` is called: a
/// slow network, to show that a shared file's `open` waits without the
/// filesystem's lock and that a signal ends the wait.
actor GatedDownloads: ObjectStore {
    let inner: MemoryStore
    private var isOpen = false
    /// Attachment downloads started.
    private(set) var started = 0

    init(inner: MemoryStore) {
        self.inner = inner
    }

    nonisolated var locationDescription: String { "gated" }

    /// Lets every waiting and later download through.
    func open() { isOpen = true }

    func list(prefix: String, startAfter: String?) async throws(StoreError) -> [ObjectInfo] {
        try await inner.list(prefix: prefix, startAfter: startAfter)
    }

    func listFolders(prefix: String) async throws(StoreError) -> [String] { try await inner.listFolders(prefix: prefix) }

    func get(_ key: ObjectKey) async throws(StoreError) -> Data { try await inner.get(key) }

    func head(_ key: ObjectKey) async throws(StoreError) -> ObjectInfo? { await inner.head(key) }

    func putIfAbsent(_ key: ObjectKey, _ bytes: Data) async throws(StoreError) -> PutOutcome { await inner.putIfAbsent(key, bytes) }

    func download(_ key: ObjectKey, into sink: any ObjectSink, maxBytes: Int64) async throws(StoreError) -> Int64 {
        if key.description.contains("/attachments/") {
            started += 1
            while !isOpen { try? await Task.sleep(for: .milliseconds(20)) }
        }
        return try await inner.download(key, into: sink, maxBytes: maxBytes)
    }
}
