import Foundation

/// An in-memory write-once store for fast tests of the logic above the stores.
public actor MemoryStore: ObjectStore {
    private var objects: [ObjectKey: Data] = [:]

    public init() {}

    public nonisolated var locationDescription: String { "memory:" }

    public func list(prefix: String, startAfter: String?) throws(StoreError) -> [ObjectInfo] {
        try ObjectKey.validatePrefix(prefix)
        return objects
            .filter { $0.key.rawValue.hasPrefix(prefix) }
            .sorted { $0.key < $1.key }
            .map { ObjectInfo(key: $0.key.rawValue, size: $0.value.count, etag: MemoryStore.etag($0.value)) }
            .filter { $0.isAfter(startAfter) }
    }

    public func get(_ key: ObjectKey) throws(StoreError) -> Data {
        guard let bytes = objects[key] else {
            throw StoreError(.notFound, "No object \"\(key)\" in the memory store.")
        }
        return bytes
    }

    public func head(_ key: ObjectKey) -> ObjectInfo? {
        objects[key].map { ObjectInfo(key: key.rawValue, size: $0.count, etag: MemoryStore.etag($0)) }
    }

    public func putIfAbsent(_ key: ObjectKey, _ bytes: Data) -> PutOutcome {
        if let existing = objects[key] { return .alreadyExists(sameBytes: existing == bytes) }
        objects[key] = bytes
        return .created
    }

    private static func etag(_ bytes: Data) -> String {
        // Not a digest: enough to tell objects apart within one process.
        String(bytes.hashValue, radix: 16)
    }
}
