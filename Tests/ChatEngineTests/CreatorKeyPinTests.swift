import ChatEngine
import ChatProtocol
import Foundation
import ObjectStore
import Testing

/// Trust on first use for a room's creator key (docs/SECURITY.md): a reader
/// pins the key of the first valid metadata it sees and raises an alarm when
/// the store later holds metadata signed by another key.
@Suite struct CreatorKeyPinTests {
    let folder = NSTemporaryDirectory() + "bucketchat-pin-\(UUID().uuidString)"

    func alarms(_ updates: some Collection<RoomUpdate>) -> [AlarmKind] {
        updates.compactMap { if case .alarm(let a) = $0 { return a.kind } else { return nil } }
    }

    /// Puts metadata for the same room id, validly signed by mallory as creator, over the original.
    func replaceMetadata(roomID: String, store root: String) throws {
        let forged = try RoomMetadata.signed(roomID: roomID, name: "Sync", createdAt: "2025-01-01T00:00:00Z",
                                             creator: "user:alice", key: try RoomWriter.key(66))
        // Rewritten in place of the old file, which can reuse its inode and size:
        // the store's etag must still change (LocalFolderStore.etag).
        try Data(forged.bytes).write(to: URL(fileURLWithPath: root + "/" + RoomObjectKey.metadataKey(roomID: roomID)), options: .atomic)
    }

    @Test func aReplacedCreatorKeyIsAnAlarmForAReaderThatSawTheRoomBefore() async throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let root = folder + "/store"
        let store = LocalFolderStore(root: root)
        var room = try await RoomWriter(roomID: "room_pin", store: store)
        try await room.upload("alice_a1", [room.say("alice_a1", "hello")])
        let pin = CreatorKeyPin(stateFolder: folder + "/state", roomID: "room_pin")

        let first = try await RoomSync(store: store, roomID: "room_pin", creatorKeyPin: pin).sync()
        #expect(alarms(first).isEmpty)
        #expect(pin.read() == (try RoomWriter.key(1)).publicKey, "the first valid metadata's key is pinned")

        try replaceMetadata(roomID: "room_pin", store: root)
        let again = try await RoomSync(store: store, roomID: "room_pin", creatorKeyPin: pin).sync()
        #expect(alarms(again).contains(.creatorKeyChanged), "a reader that pinned the key notices the replacement")
        #expect(pin.read() == (try RoomWriter.key(1)).publicKey, "the pin is not moved to the new key")

        // A reader that never saw the room can only trust what it first reads: the
        // documented limit of trust on first use. Alice's own join no longer counts.
        let stranger = CreatorKeyPin(stateFolder: folder + "/other-state", roomID: "room_pin")
        let fresh = try await RoomSync(store: store, roomID: "room_pin", creatorKeyPin: stranger).sync()
        #expect(!alarms(fresh).contains(.creatorKeyChanged))
        #expect(stranger.read() == (try RoomWriter.key(66)).publicKey)
    }

    @Test func aSessionPinsInItsStateFolderAndALiveSyncNoticesTheReplacement() async throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let root = folder + "/store"
        let store = LocalFolderStore(root: root)
        var room = try await RoomWriter(roomID: "room_pin2", store: store)
        try await room.upload("alice_a1", [room.say("alice_a1", "hello")])
        let identity = DeviceIdentity(senderID: "user:bob", clientID: "bob_b1", key: try RoomWriter.key(2))
        let session = try RoomSession(roomID: "room_pin2", identity: identity, store: store, stateFolder: folder + "/state")
        _ = await session.refresh()
        #expect(CreatorKeyPin(stateFolder: folder + "/state", roomID: "room_pin2").read() == (try RoomWriter.key(1)).publicKey)

        try replaceMetadata(roomID: "room_pin2", store: root)
        let updates = try await session.sync.sync(full: true)
        #expect(alarms(updates).contains(.creatorKeyChanged))
    }

    @Test func invalidMetadataPinsNothing() async throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let root = folder + "/store"
        let store = LocalFolderStore(root: root)
        let key = try ObjectKey(RoomObjectKey.metadataKey(roomID: "room_pin3"))
        _ = try await store.putIfAbsent(key, Data("{\"not\":\"metadata\"}".utf8))
        let pin = CreatorKeyPin(stateFolder: folder + "/state", roomID: "room_pin3")
        let updates = try await RoomSync(store: store, roomID: "room_pin3", creatorKeyPin: pin).sync()
        #expect(alarms(updates).contains(.badMetadata))
        #expect(pin.read() == nil)
    }
}

/// A writer's own signatures go into the signature memo as it signs, so its
/// sync does not verify its own uploads again (half a mount's CPU during a
/// long `cat file > send`, measured).
@Suite struct OwnSignatureMemoTests {
    @Test func signedEventsAreRememberedAndTheSyncChecksNoneOfThemAgain() async throws {
        let folder = NSTemporaryDirectory() + "bucketchat-memo-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = MemoryStore()
        let cache = try ObjectCache(directory: URL(fileURLWithPath: folder + "/cache"))
        let identity = DeviceIdentity(senderID: "user:alice", clientID: "alice_a1", key: try SigningKey.generate())
        let session = try await RoomSession.create(name: "memo", identity: identity, store: store, stateFolder: folder + "/state", cache: cache)
        _ = await session.refresh()
        let before = cache.signatures.count
        let sent = try await session.sendMessages(["one", "two", "three"])
        #expect(cache.signatures.count == before + sent.count, "each signature is remembered as it is made")

        await session.startUploading()
        try await session.outbox.flush()
        _ = await session.refresh()
        #expect(cache.signatures.count == before + sent.count, "the sync found every one of them in the memo: nothing new was verified")
        let view = await session.view()
        #expect(sent.allSatisfy { event in view.verification.accepted.contains { $0.event.eventID == event.eventID } })
        await session.stopUploading()
    }
}
