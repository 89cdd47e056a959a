import ChatEngine
import ChatProtocol
import Foundation
import ObjectStore
import Testing

/// Devices and readers whose clocks are minutes (or hours) off: what a live
/// reader delivers, and when. docs/sync.md states the limits these show.
@Suite struct RoomSyncClockTests {
    func bodies(_ updates: some Collection<RoomUpdate>) -> [String] {
        updates.compactMap { update in
            guard case .event(let e, _) = update, case .message(let m) = e.event.content else { return nil }
            return m.body
        }
    }

    @Test func deviceWithAFastClockDoesNotHoldBackTheOthers() async throws {
        let store = CountingStore(inner: MemoryStore())
        var room = try await RoomWriter(roomID: "room_fast", store: store)
        let noon = TestClock.noonTomorrow()
        room.now = noon
        try await room.addBob()
        let sync = RoomSync(store: store, roomID: room.roomID, now: TestClock(noon + 60_000).now)
        _ = try await sync.sync()

        room.now = noon + 5 * 60_000
        try await room.upload("bob_b1", [room.say("bob_b1", "five minutes ahead")])
        #expect(bodies(try await sync.sync(full: false)) == ["five minutes ahead"])
        room.now = noon + 60_000
        try await room.upload("alice_a1", [room.say("alice_a1", "on time")])
        // Regression: the watermark followed bob's file to five minutes ahead, so
        // polls skipped every on-time file until the ten-minute rescan.
        #expect(bodies(try await sync.sync(full: false)) == ["on time"], "a poll lists from the reader's clock less the margin")
        let lastListing = await store.listings.last
        // The reader's clock (noon + 60 s) less the quick margin (5 s): polls right after a full sync are quick.
        #expect(lastListing?.startAfter?.hasSuffix("messages_\(noon + 55_000)") == true, "\(String(describing: lastListing))")
    }

    @Test func deviceWithASlowClockArrivesAtTheRescanExactlyOnce() async throws {
        let store = MemoryStore()
        var room = try await RoomWriter(roomID: "room_slow", store: store)
        let noon = TestClock.noonTomorrow()
        room.now = noon - 10 * 60_000
        try await room.addBob()
        let sync = RoomSync(store: store, roomID: room.roomID, now: TestClock(noon + 60_000).now)
        _ = try await sync.sync()
        room.now = noon + 60_000
        try await room.upload("alice_a1", [room.say("alice_a1", "on time")])
        #expect(bodies(try await sync.sync(full: false)) == ["on time"])

        room.now = noon - 4 * 60_000
        try await room.upload("bob_b1", [room.say("bob_b1", "five minutes behind")])
        // The limit: a file that starts more than the listing margin before the newest
        // one is not listed by a poll, only by the periodic full rescan.
        #expect(bodies(try await sync.sync(full: false)).isEmpty)
        let rescan = try await sync.sync(full: true)
        #expect(bodies(rescan) == ["five minutes behind"])
        #expect(rescan.contains { if case .event(_, late: true) = $0 { return true } else { return false } }, "it sorts before \"on time\"")
        #expect(bodies(try await sync.sync(full: true)).isEmpty, "and is delivered once")
        let verification = await sync.verification
        #expect(verification.rejected.isEmpty && verification.alarms.isEmpty)
    }

    @Test func eventsOverAnHourAheadOfTheReaderAreRejectedWithTheReason() async throws {
        let store = MemoryStore()
        var room = try await RoomWriter(roomID: "room_ahead", store: store)
        let noon = TestClock.noonTomorrow()
        room.now = noon
        try await room.addBob()
        try await room.upload("bob_b1", [room.say("bob_b1", "on time")])
        room.now = noon + 2 * 3_600_000
        try await room.upload("alice_a1", [room.say("alice_a1", "two hours ahead")])
        room.now = noon + 2 * 3_600_000 + 10_000
        try await room.upload("bob_b1", [room.say("bob_b1", "bob is two hours ahead too")])

        // A reader whose clock is ten minutes behind the writers': accepted, in order.
        let behind = try await RoomSync(store: store, roomID: room.roomID, now: TestClock(noon + 2 * 3_600_000 - 10 * 60_000).now).sync()
        #expect(bodies(behind) == ["on time", "two hours ahead", "bob is two hours ahead too"])

        // A reader at noon: the two events from two hours ahead are refused with
        // future_timestamp and say why; the rest arrives and nothing else breaks.
        let reader = RoomSync(store: store, roomID: room.roomID, now: TestClock(noon).now)
        let updates = try await reader.sync()
        #expect(bodies(updates) == ["on time"])
        let rejections = updates.compactMap { if case .rejected(let r) = $0 { return r } else { return nil } }
        #expect(rejections.map(\.reason) == [.futureTimestamp, .futureTimestamp])
        #expect(rejections.allSatisfy { $0.detail.contains("more than an hour ahead of this reader's clock") })
        let verification = await reader.verification
        #expect(verification.alarms.isEmpty, "a refused event is not a gap in its chain: \(verification.alarms)")
    }
}
