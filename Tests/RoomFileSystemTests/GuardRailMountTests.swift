import ChatEngine
import ChatProtocol
import Foundation
import ObjectStore
import Testing
@testable import RoomFileSystem

/// What the mount shows as a room: only rooms with valid metadata (or created
/// here and waiting to be uploaded), and a legacy room once its keys are trusted.
@Suite(.serialized) struct GuardRailMountTests {
    @Test func aRoomWithoutMetadataInThisStoreIsNeitherShownNorWritten() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let identity = DeviceIdentity(senderID: "user:alice", clientID: "alice_dev", key: try SigningKey.generate())
        let storeA = MemoryStore()
        let room: String
        do {
            // In a scope of its own, so that its sessions let go of the journal.
            let onA = await MountedIdentity("alice", identity: identity, store: storeA, root: scratch.url)
            try await onA.mkdir("/plans")
            room = try await onA.onlyRoom()
            try await onA.write("/\(room)/send", "on A\n")
            try await onA.settle()
            await onA.fs.stop(flushTimeout: .seconds(2))
        }

        // The same identity and state folder, mounted on another store: the
        // journaled room is not there, so it is not a room there.
        let storeB = MemoryStore()
        let onB = await MountedIdentity("alice", identity: identity, store: storeB, root: scratch.url)
        #expect(onB.fs.locked { onB.fs.rooms[room] } != nil, "the journaled room is opened on B")
        await onB.fs.syncNow()
        #expect(try await onB.ls("/").filter { $0.hasPrefix("room_") }.isEmpty, "no room of store A shows on B")
        #expect(try await onB.ls("/by-name").isEmpty)
        await #expect(throws: FileSystemError.self) { try await onB.write("/\(room)/send", "into B?\n") }
        await #expect(throws: FileSystemError.self) { try await onB.write("/plans/send", "into B?\n") }
        try await onB.fs.flushAll()
        #expect(try await storeB.list(prefix: "").isEmpty, "nothing reached store B")
        await onB.fs.stop(flushTimeout: .seconds(1))
    }

    @Test func aRoomIdCannotHideAnotherRoomsName() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let store = MemoryStore()
        let identity = DeviceIdentity(senderID: "user:alice", clientID: "alice_dev", key: try SigningKey.generate())
        // A room whose id is "Lunch" (another client chose it), and a room named "Lunch".
        let metadata = try RoomMetadata.signed(roomID: "Lunch", name: "Other", createdAt: "2025-01-01T00:00:00Z",
                                               creator: "user:alice", key: identity.key)
        _ = await store.putIfAbsent(try ObjectKey(RoomObjectKey.metadataKey(roomID: "Lunch")), Data(metadata.bytes))
        var chain = DeviceChain(roomID: "Lunch", senderID: "user:alice", key: identity.key)
        let join = try chain.sign(type: EventType.member, content: JSONObject([("membership", "join"), ("public_key", .string(identity.key.publicKey.base64))]),
                                  parentEventID: nil, nowMs: Int64(Date().timeIntervalSince1970 * 1000) - 60_000)
        let file = try LogFile.encode([join], roomID: "Lunch", clientID: "alice_old")
        _ = await store.putIfAbsent(try ObjectKey(file.name.key), Data(file.bytes))
        let named = try await RoomSession.create(name: "Lunch", identity: identity, store: store,
                                                 stateFolder: scratch.url.appendingPathComponent("elsewhere").path)
        await named.startUploading()
        try await named.outbox.flush()
        await named.stopUploading()

        let alice = await MountedIdentity("alice", identity: identity, store: store, root: scratch.url)
        await alice.fs.discover()
        await alice.fs.syncNow()
        #expect(Set(try await alice.ls("/")).isSuperset(of: ["Lunch", named.roomID]))
        #expect(Set(try await alice.ls("/by-name")) == ["Lunch", "Other"])
        #expect(try await alice.call { fs throws(FileSystemError) in try fs.readlink("/by-name/Lunch") } == "../\(named.roomID)",
                "by-name/Lunch is the room named Lunch, not the room whose id is Lunch")
        #expect(try await alice.call { fs throws(FileSystemError) in try fs.readlink("/by-name/Other") } == "../Lunch")
        await alice.fs.stop(flushTimeout: .seconds(1))
    }

    @Test func aLegacyRoomIsMountedOnceItsKeysAreTrusted() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let store = MemoryStore()
        let carol = try SigningKey(seed: [UInt8](repeating: 7, count: 32))
        let roomID = "room_legacy0001"
        // Metadata as another client writes it: no creator key, no signature.
        let metadata = #"{"created_at": "2025-09-14T12:00:00", "creator": "carol@example.com", "protocol": "bucket-chat-v1", "room_id": "room_legacy0001", "version": "1.0"}"#
        _ = await store.putIfAbsent(try ObjectKey(RoomObjectKey.metadataKey(roomID: roomID)), Data(metadata.utf8))
        var chain = DeviceChain(roomID: roomID, senderID: "carol@example.com", key: carol)
        let now = Int64(Date().timeIntervalSince1970 * 1000) - 60_000
        let join = try chain.sign(type: EventType.member, content: JSONObject([("membership", "join"), ("public_key", .string(carol.publicKey.base64))]),
                                  parentEventID: nil, nowMs: now)
        let hello = try chain.sign(type: EventType.message, content: MessageContent(body: "hello from another client").json,
                                   parentEventID: nil, nowMs: now + 1)
        let file = try LogFile.encode([join, hello], roomID: roomID, clientID: "carol_dev")
        _ = await store.putIfAbsent(try ObjectKey(file.name.key), Data(file.bytes))

        let identity = DeviceIdentity(senderID: "user:bob", clientID: "bob_dev", key: try SigningKey.generate())
        let untrusting = await MountedIdentity("bob", identity: identity, store: store, root: scratch.url)
        await untrusting.fs.discover()
        #expect(try await untrusting.ls("/").filter { $0.hasPrefix("room_") }.isEmpty, "without keys nothing in it can be shown")
        await untrusting.fs.stop(flushTimeout: .seconds(1))

        let trusting = await MountedIdentity("bob2", identity: identity, store: store, root: scratch.url,
                                       trustedKeys: { _ in ["carol@example.com": [carol.publicKey]] })
        await trusting.fs.discover()
        await trusting.fs.syncNow()
        #expect(try await trusting.ls("/").contains(roomID))
        #expect(try await trusting.read("/\(roomID)/timeline").contains("carol@example.com\tmsg\thello from another client"))
        let members = try await trusting.read("/\(roomID)/members")
        #expect(members.hasPrefix("carol@example.com\tjoin\t-\t1 key(s)\t") && members.hasSuffix("\ttrusted locally\n"), "\(members)")
        #expect(try await trusting.read("/\(roomID)/state").contains("\"trusted_locally\":true"))
        await trusting.fs.stop(flushTimeout: .seconds(1))
    }
}
