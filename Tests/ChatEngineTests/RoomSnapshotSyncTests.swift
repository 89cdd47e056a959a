import ChatEngine
import ChatProtocol
import Foundation
import ObjectStore
import Testing

/// A room opened again from the same cache restores its ledger snapshot:
/// nothing is fetched or verified again but what is new, every event is
/// delivered once, and a snapshot that no longer matches the store or its
/// own checksum is ignored.
@Suite struct RoomSnapshotSyncTests {
    func bodies(_ updates: some Collection<RoomUpdate>) -> [String] {
        updates.compactMap { update in
            guard case .event(let e, _) = update, case .message(let m) = e.event.content else { return nil }
            return m.body
        }
    }

    func cacheFolder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("bucketchat-snapshot-\(UUID().uuidString)")
    }

    /// A room with messages, a reaction and an edit, synced once into `cache`.
    func writeAndSync(_ store: any ObjectStore, roomID: String, cache: URL) async throws -> RoomWriter {
        var room = try await RoomWriter(roomID: roomID, store: store)
        try await room.addBob()
        let hello = try room.say("bob_b1", "hello")
        try await room.upload("bob_b1", [hello, room.say("bob_b1", "second")])
        try await room.upload("alice_a1", [
            room.sign("alice_a1", EventType.reaction, JSONObject([("relates_to", .string(hello.eventID)), ("reaction", "+1")])),
            room.say("alice_a1", "third"),
        ])
        try await room.upload("bob_b1", [
            room.sign("bob_b1", EventType.edit, JSONObject([("replaces", .string(hello.eventID)), ("new_content", .object(MessageContent(body: "hello!").json))])),
        ])
        let first = RoomSync(store: store, roomID: roomID, cache: try ObjectCache(directory: cache))
        #expect(bodies(try await first.sync()) == ["hello", "second", "third"])
        await first.snapshotWritten()
        #expect(await first.restoredFromSnapshot == false)
        return room
    }

    @Test func aSecondOpenRestoresTheSnapshotAndFetchesOnlyWhatIsNew() async throws {
        let store = CountingStore(inner: MemoryStore())
        let cache = cacheFolder()
        defer { try? FileManager.default.removeItem(at: cache) }
        var room = try await writeAndSync(store, roomID: "room_snap", cache: cache)
        try await room.upload("alice_a1", [room.say("alice_a1", "after the snapshot")])
        let gets = await store.gets

        let reopened = RoomSync(store: store, roomID: "room_snap", cache: try ObjectCache(directory: cache))
        let updates = try await reopened.sync()
        #expect(await reopened.restoredFromSnapshot)
        #expect(bodies(updates) == ["hello", "second", "third", "after the snapshot"], "every event once, in order")
        #expect(await store.gets == gets + 1, "only the new object is fetched")

        let restored = await reopened.verification
        let uncached = RoomSync(store: store, roomID: "room_snap")
        _ = try await uncached.sync()
        let fresh = await uncached.verification
        #expect(restored.accepted.map(\.event.eventID) == fresh.accepted.map(\.event.eventID))
        #expect(restored.accepted.map(\.hash) == fresh.accepted.map(\.hash))
        #expect(restored.state.reactions == fresh.state.reactions && !fresh.state.reactions.isEmpty)
        #expect(restored.state.edits == fresh.state.edits && !fresh.state.edits.isEmpty)
        #expect(restored.state.membership == fresh.state.membership)

        try await room.upload("bob_b1", [room.say("bob_b1", "later still")])
        #expect(bodies(try await reopened.sync(full: false)) == ["later still"], "then only what is new")
    }

    @Test func aDamagedSnapshotIsIgnored() async throws {
        let store = MemoryStore()
        let cache = cacheFolder()
        defer { try? FileManager.default.removeItem(at: cache) }
        _ = try await writeAndSync(store, roomID: "room_damaged", cache: cache)
        let path = cache.appendingPathComponent("snapshots/room_damaged.ledger").path
        var bytes = try #require(FileManager.default.contents(atPath: path))
        // In the records (the checksum's part; a damaged line is caught when decoded, RoomSnapshotTests).
        bytes[bytes.count - 30] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: path))

        let reopened = RoomSync(store: store, roomID: "room_damaged", cache: try ObjectCache(directory: cache))
        #expect(bodies(try await reopened.sync()) == ["hello", "second", "third"])
        #expect(await reopened.restoredFromSnapshot == false, "a checksum that does not match voids the snapshot")
    }

    @Test func anObjectTheStoreNoLongerShowsVoidsTheSnapshot() async throws {
        let store = LosingStore()
        let cache = cacheFolder()
        defer { try? FileManager.default.removeItem(at: cache) }
        var room = try await writeAndSync(store, roomID: "room_lost", cache: cache)
        let keys = try await store.list(prefix: RoomObjectKey.roomPrefix(roomID: "room_lost"), startAfter: nil).map(\.key)
        let bobsFirst = try #require(keys.filter { $0.contains("bob_b1") }.sorted().dropFirst().first)
        await store.lose(bobsFirst)
        try await room.upload("alice_a1", [room.say("alice_a1", "after the loss")])

        let reopened = RoomSync(store: store, roomID: "room_lost", cache: try ObjectCache(directory: cache))
        let updates = try await reopened.sync()
        #expect(await reopened.restoredFromSnapshot == false)
        #expect(bodies(updates) == ["third", "after the loss"], "what the store shows, verified again")
        #expect(updates.contains { if case .alarm(let a) = $0 { return a.kind == .gap } else { return false } },
                "the lost object is a gap, as without a snapshot")
    }

    @Test func offlineTheSnapshotIsTheLastKnownState() async throws {
        let store = MemoryStore()
        let cache = cacheFolder()
        defer { try? FileManager.default.removeItem(at: cache) }
        _ = try await writeAndSync(store, roomID: "room_offline", cache: cache)
        let offline = RoomSync(store: store, roomID: "room_offline", cache: try ObjectCache(directory: cache))
        #expect(bodies(await offline.loadCache()) == ["hello", "second", "third"])
        #expect(await offline.restoredFromSnapshot)
        #expect(await offline.verification.state.reactions.isEmpty == false)
    }

    /// Objects synced after the snapshot was written are in the cache too:
    /// offline, the view is the last synced one, not the last snapshot's.
    @Test func offlineObjectsCachedAfterTheSnapshotCountToo() async throws {
        let store = MemoryStore()
        let cache = cacheFolder()
        defer { try? FileManager.default.removeItem(at: cache) }
        var room = try await writeAndSync(store, roomID: "room_later", cache: cache)
        try await room.upload("bob_b1", [room.say("bob_b1", "after the snapshot")])
        let online = RoomSync(store: store, roomID: "room_later", cache: try ObjectCache(directory: cache))
        #expect(bodies(try await online.sync()).last == "after the snapshot")
        let offline = RoomSync(store: store, roomID: "room_later", cache: try ObjectCache(directory: cache))
        #expect(bodies(await offline.loadCache()) == ["hello", "second", "third", "after the snapshot"])
        #expect(await offline.restoredFromSnapshot)
    }
}
