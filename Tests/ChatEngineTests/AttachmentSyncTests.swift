import ChatEngine
import ChatProtocol
import Foundation
import ObjectStore
import Synchronization
import Testing

/// A store that remembers which keys were read.
final class ReadRecordingStore: ObjectStore {
    let inner: any ObjectStore
    private let reads = Mutex<[String]>([])

    init(_ inner: any ObjectStore) { self.inner = inner }

    var readKeys: [String] { reads.withLock { $0 } }
    var locationDescription: String { inner.locationDescription }

    func list(prefix: String, startAfter: String?) async throws(StoreError) -> [ObjectInfo] {
        try await inner.list(prefix: prefix, startAfter: startAfter)
    }

    func get(_ key: ObjectKey) async throws(StoreError) -> Data {
        reads.withLock { $0.append(key.rawValue) }
        return try await inner.get(key)
    }

    func bytes(_ key: ObjectKey) async throws(StoreError) -> [UInt8] {
        reads.withLock { $0.append(key.rawValue) }
        return try await inner.bytes(key)
    }

    func head(_ key: ObjectKey) async throws(StoreError) -> ObjectInfo? { try await inner.head(key) }

    func putIfAbsent(_ key: ObjectKey, _ bytes: Data) async throws(StoreError) -> PutOutcome { try await inner.putIfAbsent(key, bytes) }

    func download(_ key: ObjectKey, into sink: any ObjectSink, maxBytes: Int64) async throws(StoreError) -> Int64 {
        reads.withLock { $0.append(key.rawValue) }
        return try await inner.download(key, into: sink, maxBytes: maxBytes)
    }
}

@Suite struct AttachmentSyncTests {
    @Test func aSyncNeverFetchesAFilesBytes() async throws {
        let room = try await AttachmentTests.room()
        defer { room.remove() }
        let path = try room.file("big.bin", AttachmentTests.random(200_000))
        let sent = try await room.alice.shareFile(path: path)
        try await room.alice.outbox.flush()
        #expect(try await AttachmentTests.attachmentKeys(room.store, roomID: room.roomID).count == 1)

        let recording = ReadRecordingStore(room.store)
        let reader = RoomSync(store: recording, roomID: room.roomID)
        _ = try await reader.sync(full: true)
        _ = try await reader.sync(full: false)
        #expect(await reader.verification.sharedFiles.map(\.eventID) == [sent.eventID])
        #expect(!recording.readKeys.isEmpty)
        #expect(recording.readKeys.allSatisfy { !$0.contains("/attachments/") }, "\(recording.readKeys)")
    }
}
