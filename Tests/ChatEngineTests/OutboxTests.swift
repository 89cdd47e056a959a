@testable import ChatEngine
import ChatProtocol
import Foundation
import ObjectStore
import Testing

@Suite struct OutboxTests {
    @Test func concurrentSendsKeepOneChain() async throws {
        let fixture = try EngineFixture()
        defer { fixture.remove() }
        let outbox = try fixture.outbox()
        let events = try await withThrowingTaskGroup(of: Event.self) { group in
            for i in 0..<200 {
                group.addTask { try await outbox.send(type: "m.room.message", content: EngineFixture.message("m\(i)")) }
            }
            return try await group.reduce(into: [Event]()) { $0.append($1) }
        }
        let predecessors = events.map { $0.prevEventHash ?? "start" }
        #expect(Set(predecessors).count == events.count, "no two events may name the same predecessor")
        #expect(predecessors.filter { $0 == "start" }.count == 1)
        let hashes = Set(events.map(\.hash))
        #expect(predecessors.allSatisfy { $0 == "start" || hashes.contains($0) }, "every link names an event of the chain")
        #expect(Set(events.map(\.timestampMs)).count == events.count, "timestamps strictly increase")
    }

    @Test func chainAndClockContinueAcrossRestart() async throws {
        let fixture = try EngineFixture()
        defer { fixture.remove() }
        let store = MemoryStore()
        let join = try await fixture.createRoom(in: store)
        // A clock that stands still: only the restored DeviceClock keeps timestamps increasing.
        let frozen: @Sendable () -> Int64 = { 1_767_225_600_000 }
        var last: Event
        do {
            let outbox = try fixture.outbox(now: frozen)
            _ = try await outbox.send(type: "m.room.member", content: join)
            last = try await outbox.send(type: "m.room.message", content: EngineFixture.message("before"))
        }
        let outbox = try fixture.outbox(now: frozen)
        let after = try await outbox.send(type: "m.room.message", content: EngineFixture.message("after"))
        #expect(after.prevEventHash == last.hash)
        #expect(after.timestampMs == last.timestampMs + 1)
        last = after

        let uploader = Task { await Uploader(outbox: outbox, store: store).run() }
        try await outbox.flush()
        uploader.cancel()
        let verification = RoomVerifier(nowMs: 1_767_225_600_000).verify(roomID: fixture.roomID, objects: try await storedObjects(store, roomID: fixture.roomID))
        #expect(verification.accepted.count == 3)
        #expect(verification.rejected.isEmpty)
        #expect(verification.alarms.isEmpty, "\(verification.alarms)")
    }

    @Test func oversizedEventIsRefusedBeforeTheJournal() async throws {
        let fixture = try EngineFixture()
        defer { fixture.remove() }
        let outbox = try fixture.outbox()
        await #expect(throws: EngineError.self) {
            _ = try await outbox.send(type: "m.room.message", content: EngineFixture.message(String(repeating: "x", count: 70_000)))
        }
        #expect(await outbox.journaledCount == 0)
        let ok = try await outbox.send(type: "m.room.message", content: EngineFixture.message("fine"))
        #expect(ok.prevEventHash == nil, "a refused event does not advance the chain")
    }
}
