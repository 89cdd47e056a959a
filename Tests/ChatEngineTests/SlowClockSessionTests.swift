import ChatEngine
import ChatProtocol
import Foundation
import ObjectStore
import Testing

/// A device whose clock is behind acts on what it has seen: its events must
/// still sort after the events they depend on, or every reader refuses them.
@Suite struct SlowClockSessionTests {
    @Test func deviceMinutesBehindCanJoinAndReplyRightAway() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("bucketchat-clock-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let store = MemoryStore()
        let alice = DeviceIdentity(senderID: "user:alice", clientID: "alice_d1", key: try SigningKey(seed: [UInt8](repeating: 1, count: 32)))
        let bob = DeviceIdentity(senderID: "user:bob", clientID: "bob_d1", key: try SigningKey(seed: [UInt8](repeating: 2, count: 32)))
        let a = try await RoomSession.create(name: "Clocks", identity: alice, store: store, stateFolder: root.appendingPathComponent("a").path)
        await a.startUploading()
        try await a.invite("user:bob", key: bob.key.publicKey)
        let question = try await a.send("anyone there?")
        try await a.outbox.flush()

        let slow = TestClock(Int64(Date().timeIntervalSince1970 * 1000) - 5 * 60_000)
        let b = try RoomSession(roomID: a.roomID, identity: bob, store: store, stateFolder: root.appendingPathComponent("b").path, now: slow.now)
        await b.startUploading()
        await b.refresh()
        let join = try await b.join()
        let reply = try await b.send("here", replyTo: EventReference.short(question.eventID))
        let reaction = try await b.react(to: EventReference.short(question.eventID), with: "👋")
        try await b.outbox.flush()

        let reader = RoomSync(store: store, roomID: a.roomID)
        _ = try await reader.sync()
        let verification = await reader.verification
        #expect(verification.rejected.isEmpty, "\(verification.rejected.map { "\($0.reason.rawValue): \($0.detail)" })")
        #expect(verification.state.membership["user:bob"] == .join)
        #expect(verification.state.threadChildren[question.eventID] == [reply.eventID])
        #expect(join.timestampMs > question.timestampMs - 5 * 60_000, "stamped after the invite it answers, not by the slow clock alone")
        #expect(reaction.timestampMs > question.timestampMs)
        await a.stopUploading()
        await b.stopUploading()
    }
}
