import ChatEngine
import ChatProtocol
import Foundation
import ObjectStore
import Testing

/// A command that acts once goes through a ``RoomHost`` too.
@Suite struct RoomHostCommandTests {
    let base = RoomHostTests()

    @Test func aRoomCreatedOfflineGetsItsMetadataBeforeACommandUploadsItsEvents() async throws {
        let state = try base.temporary()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let store = SwitchableStore()
        await store.setDown(true)
        let roomID: String
        do {
            let host = try base.host("alice", seed: 1, store: store, state: state)
            await host.start(background: false) { _ in }
            roomID = try await host.create(name: "Offline").roomID
            #expect(host.writtenRooms == [roomID])
            await host.stop(flushTimeout: .milliseconds(100))
        }
        #expect(try await store.inner.list(prefix: "").isEmpty)

        // The store is back; a command opens the room to act once.
        await store.setDown(false)
        let command = try base.host("alice", seed: 1, store: store, state: state)
        let session = try await command.openToAct(roomID)
        try await session.outbox.flush()
        let keys = try await store.inner.list(prefix: RoomObjectKey.roomPrefix(roomID: roomID)).map(\.key)
        #expect(keys.contains(RoomObjectKey.metadataKey(roomID: roomID)))
        #expect(keys.count >= 2)
        #expect(!session.hasPendingMetadataFile(stateFolder: command.configuration.stateFolder))
        await command.stop(flushTimeout: .seconds(1))
    }

    @Test func aCommandDoesNotUploadEventsOfARoomWhoseMetadataCannotGoOut() async throws {
        let state = try base.temporary()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let store = SwitchableStore()
        await store.setDown(true)
        let command = try base.host("alice", seed: 1, store: store, state: state)
        await command.start(background: false) { _ in }
        let room = try await command.create(name: "Still offline")
        _ = try await command.openToAct(room.roomID)
        // Back up, but the command's session did not start uploading: nothing
        // of the room reaches the store before its metadata.
        await store.setDown(false)
        let session = try #require(await command.session(room.roomID))
        #expect(try await !session.outbox.flush(until: .now + .milliseconds(300)))
        #expect(try await store.inner.list(prefix: "").isEmpty)
        await command.stop(flushTimeout: .milliseconds(100))
    }
}
