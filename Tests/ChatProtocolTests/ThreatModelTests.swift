import Testing
@testable import ChatProtocol

/// The claims of docs/SECURITY.md that no other suite shows: what a bucket
/// operator can do unseen, that store order never changes the timeline, and
/// what a stolen key can still do after rotation.
@Suite struct ThreatModelTests {
    /// Limit: a device's newest objects can be withheld (or deleted) without
    /// any alarm, because nothing in the room names them yet. The gap shows as
    /// soon as a later object of that device is stored
    /// (ChainScenarioTests.deletedMiddleFileIsAGapAndLaterEventsStay).
    @Test func operatorCanWithholdADevicesNewestObjectUnseen() throws {
        var room = try TestRoom.withMembers()
        let kept = try room.say("bob_b1", "one")
        try room.flush("bob_b1")
        let withheld = try room.say("bob_b1", "two")
        let newest = try room.flush("bob_b1")
        room.objects[newest] = nil
        let result = room.verify()
        #expect(result.accepts(kept))
        #expect(!result.accepts(withheld) && result.reason(of: withheld) == nil, "simply absent")
        #expect(result.alarms.isEmpty && !result.hasIntegrityProblem, "and nothing says so")

        // Bob writes again: the chain now names the missing event.
        let three = try room.say("bob_b1", "three")
        try room.flush("bob_b1")
        let later = room.verify()
        #expect(later.alarms.map(\.kind) == [.gap])
        #expect(later.alarms.first?.eventID == three.eventID)
    }

    /// The operator (or the network) decides the order objects are listed and
    /// fetched in; the timeline does not depend on it: it is sorted by the
    /// signed `(timestamp_ms, event_id)`.
    @Test func storeOrderNeverChangesTheTimeline() throws {
        var room = try TestRoom.withMembers()
        for i in 0..<5 {
            try room.say("bob_b1", "b\(i)")
            try room.say("carol_c1", "c\(i)")
            try room.say("alice_a1", "a\(i)")
            try room.flushAll()
        }
        let objects = room.storedObjects
        let verifier = RoomVerifier(nowMs: room.now + 1000)
        let reference = verifier.verify(roomID: room.roomID, objects: objects.sorted { $0.key < $1.key })
        #expect(reference.accepted.count == 20)
        #expect(reference.alarms.isEmpty)
        var generator = SplitMix64(seed: 7)
        for _ in 0..<10 {
            let shuffled = verifier.verify(roomID: room.roomID, objects: objects.shuffled(using: &generator))
            #expect(shuffled.accepted.map(\.event.eventID) == reference.accepted.map(\.event.eventID))
            #expect(shuffled.alarms.isEmpty && shuffled.rejected.isEmpty)
        }
    }

    /// Forgery: an operator without a member's key cannot change a byte of an
    /// event (RoomSyncTests.tamperedObjectShowsAsRejectionNeverAsMessage shows
    /// the body), nor move it in time: the timestamp is signed too.
    @Test func operatorCannotMoveAnEventInTime() throws {
        var room = try TestRoom.withMembers()
        let event = try room.say("bob_b1", "at noon")
        let key = try room.flush("bob_b1")
        let original = try #require(room.objects[key])
        let text = String(decoding: original, as: UTF8.self)
        let moved = text.replacingOccurrences(of: "\"timestamp_ms\":\(event.timestampMs)", with: "\"timestamp_ms\":\(event.timestampMs - 5)")
        #expect(moved != text)
        room.objects[key] = Array(moved.utf8)
        let result = room.verify()
        #expect(!result.accepts(event))
        #expect(result.rejected.contains { $0.objectKey == key && $0.reason.isIntegrityProblem })
    }

    /// After `keys rotate`, a thief holding the old key cannot sign anything
    /// timestamped after the revoking join (KeyScenarioTests.revokedKeyIsUntrustedAfterRotation),
    /// and a backdated event that branches off the old chain is a fork.
    @Test func stolenKeyBackdatingOffTheOldChainIsAFork() throws {
        var room = try TestRoom.withMembers()
        let before = try room.say("bob_b1", "before")
        let newKey = TestRoom.key(12)
        try room.join("bob_b1", key: newKey.publicKey, revoke: [TestRoom.key(2).publicKey])
        try room.flush("bob_b1")
        // The thief continues from the event before the rotation, backdated
        // to just after it, so it sorts before the revoking join.
        var thief = DeviceChain(roomID: room.roomID, senderID: "user:bob", key: TestRoom.key(2),
                                prevEventHash: before.hash)
        let forged = try thief.sign(type: EventType.message, content: MessageContent(body: "backdated").json,
                                    nowMs: before.timestampMs + 1)
        let file = try LogFile.encode([forged], roomID: room.roomID, clientID: "thief")
        room.objects[file.name.key] = file.bytes
        let result = room.verify()
        #expect(result.alarms.contains { $0.kind == .fork && $0.senderID == "user:bob" })
        #expect(result.hasIntegrityProblem)
    }

    /// The revoking join is itself signed with the old key and ends its
    /// chain. A thief who extends the chain after it, backdated to sort before
    /// it, makes no branch; the chain going back in time is the alarm
    /// (a `fork`, since that device did not write it in order). Before that
    /// check, this event was accepted with no alarm at all.
    @Test func stolenKeyExtendingTheChainTipBackdatedIsAFork() throws {
        var room = try TestRoom.withMembers()
        let before = try room.say("bob_b1", "before")
        let newKey = TestRoom.key(12)
        let rotate = try room.join("bob_b1", key: newKey.publicKey, revoke: [TestRoom.key(2).publicKey])
        try room.flush("bob_b1")
        #expect(room.verify().alarms.isEmpty)
        var thief = DeviceChain(roomID: room.roomID, senderID: "user:bob", key: TestRoom.key(2),
                                prevEventHash: rotate.hash)
        let forged = try thief.sign(type: EventType.message, content: MessageContent(body: "backdated").json,
                                    nowMs: before.timestampMs + 1)
        #expect(forged.timestampMs < rotate.timestampMs)
        let file = try LogFile.encode([forged], roomID: room.roomID, clientID: "thief")
        room.objects[file.name.key] = file.bytes
        let result = room.verify()
        #expect(result.alarms.map(\.kind) == [.fork])
        #expect(result.alarms.first?.eventID == forged.eventID)
        #expect(result.hasIntegrityProblem)
        // Authentic under a key trusted at that point, so it stays, marked.
        #expect(result.accepted.first { $0.event.eventID == forged.eventID }?.marks == [.fork])
    }
}

/// A small seeded generator so shuffles reproduce.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
