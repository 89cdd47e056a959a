import ChatEngine
import ChatProtocol
import Foundation
import ObjectStore
import Testing

/// How far back a quick poll lists: every key in its window is listed again
/// at each poll, four times a second in a busy room, so the window follows
/// how late files actually show up instead of always covering the worst case.
@Suite struct RoomSyncWindowTests {
    func bodies(_ updates: some Collection<RoomUpdate>) -> [String] {
        updates.compactMap { update in
            guard case .event(let e, _) = update, case .message(let m) = e.event.content else { return nil }
            return m.body
        }
    }

    @Test func theQuickWindowFollowsHowLateFilesShowUp() async throws {
        let store = CountingStore(inner: MemoryStore())
        var room = try await RoomWriter(roomID: "room_lateness", store: store)
        try await room.addBob()
        let start = room.now
        let clock = TestClock(start + 100)
        let sync = RoomSync(store: store, roomID: room.roomID, now: clock.now)
        _ = try await sync.sync()
        func poll(at ms: Int64) async throws -> [String] {
            clock.set(ms)
            return bodies(try await sync.sync(full: false))
        }
        func window() async -> String? { await store.listings.last?.startAfter }

        // RoomWriter stamps each event 10 ms after `room.now`.
        let newest = start + 31_000
        room.now = newest - 10
        try await room.upload("alice_a1", [room.say("alice_a1", "on time")])
        #expect(try await poll(at: newest + 100) == ["on time"], "a wide poll (10 s after the first sync)")
        _ = try await poll(at: newest + 200)
        var listed = await window()
        #expect(listed?.hasSuffix("messages_\(newest - 1_000)") == true, "nothing was late: the window is the slack, 1 s")

        // A file 20 s late is beyond any quick window: the wide listing finds it, and the window stays short.
        room.now = newest - 20_010
        try await room.upload("bob_b1", [room.say("bob_b1", "20 s late")])
        #expect(try await poll(at: newest + 300).isEmpty)
        #expect(try await poll(at: newest + 10_200) == ["20 s late"])
        _ = try await poll(at: newest + 10_300)
        listed = await window()
        #expect(listed?.hasSuffix("messages_\(newest - 1_000)") == true, "\(String(describing: listed))")

        // A file 3 s late: missed by the 1 s window, found by the wide listing, and the window widens to 4 s.
        room.now = newest - 3_010
        try await room.upload("bob_b1", [room.say("bob_b1", "3 s late")])
        #expect(try await poll(at: newest + 10_400).isEmpty)
        #expect(try await poll(at: newest + 20_400) == ["3 s late"])
        _ = try await poll(at: newest + 20_500)
        listed = await window()
        #expect(listed?.hasSuffix("messages_\(newest - 4_000)") == true, "\(String(describing: listed))")

        // It stays wide for the next interval too, then narrows once nothing was late for two.
        _ = try await poll(at: newest + 30_500)
        _ = try await poll(at: newest + 30_600)
        listed = await window()
        #expect(listed?.hasSuffix("messages_\(newest - 4_000)") == true, "\(String(describing: listed))")
        _ = try await poll(at: newest + 40_600)
        _ = try await poll(at: newest + 40_700)
        listed = await window()
        #expect(listed?.hasSuffix("messages_\(newest - 1_000)") == true, "\(String(describing: listed))")
    }

    /// Until a wide interval has passed nothing is known of how late files
    /// are, so quick polls list the whole margin.
    @Test func beforeAnyIntervalQuickPollsUseTheWholeMargin() async throws {
        let store = CountingStore(inner: MemoryStore())
        var room = try await RoomWriter(roomID: "room_fresh", store: store)
        try await room.addBob()
        let clock = TestClock(room.now + 100)
        let sync = RoomSync(store: store, roomID: room.roomID, now: clock.now)
        _ = try await sync.sync()
        let newest = room.now + 1_000
        room.now = newest - 10
        try await room.upload("alice_a1", [room.say("alice_a1", "hi")])
        clock.set(newest + 100)
        _ = try await sync.sync(full: false)
        clock.set(newest + 200)
        _ = try await sync.sync(full: false)
        #expect(await store.listings.last?.startAfter?.hasSuffix("messages_\(newest - 5_000)") == true)
    }
}
