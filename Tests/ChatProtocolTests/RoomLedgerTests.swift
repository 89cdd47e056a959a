import Testing
@testable import ChatProtocol

@Suite struct RoomLedgerTests {
    func sameResult(_ a: RoomVerification, _ b: RoomVerification) {
        #expect(a.accepted.map(\.event.eventID) == b.accepted.map(\.event.eventID))
        #expect(a.rejected == b.rejected)
        #expect(a.alarms == b.alarms)
        #expect(a.state.membership == b.state.membership)
    }

    @Test func ingestingPieceByPieceEqualsVerifyingAtOnce() throws {
        let objects = try Fixtures.roomObjects()
        let verifier = RoomVerifier(nowMs: 1_757_851_300_000)
        var ledger = RoomLedger(roomID: "room_vectors01", verifier: verifier)
        for object in objects.shuffled() { ledger.ingest([object]) }
        sameResult(ledger.verification, verifier.verify(roomID: "room_vectors01", objects: objects))
        #expect(ledger.objectKeys.count == objects.count)
    }

    @Test func missingObjectArrivingLateClosesTheGap() throws {
        var room = try TestRoom.withMembers()
        try room.say("bob_b1", "one")
        try room.flush("bob_b1")
        try room.say("bob_b1", "two (uploaded late)")
        let late = try room.flush("bob_b1")
        try room.say("bob_b1", "three")
        try room.flush("bob_b1")
        let lateObject = StoredObject(key: late, bytes: try #require(room.objects[late]))
        var ledger = RoomLedger(roomID: room.roomID, verifier: RoomVerifier(nowMs: room.now + 1000))
        ledger.ingest(room.storedObjects.filter { $0.key != late })
        #expect(ledger.verification.alarms.map(\.kind) == [.gap])
        ledger.ingest([lateObject])
        #expect(ledger.verification.alarms.isEmpty)
        let bodies = ledger.verification.accepted.compactMap { event -> String? in
            if case .message(let m) = event.event.content { return m.body }
            return nil
        }
        #expect(bodies == ["one", "two (uploaded late)", "three"], "the late event takes its place in the timeline")
    }

    @Test func eventsSeenBeforeTheirSendersJoinVerifyOnceItArrives() throws {
        var room = try TestRoom()
        try room.member("alice_a1", "invite", target: "user:bob")
        try room.flush("alice_a1")
        room.addDevice("bob_b1", sender: "user:bob", key: TestRoom.key(2))
        try room.join("bob_b1")
        let joinKey = try room.flush("bob_b1")
        let hello = try room.say("bob_b1", "hello")
        try room.flush("bob_b1")
        var ledger = RoomLedger(roomID: room.roomID, verifier: RoomVerifier(nowMs: room.now + 1000))
        ledger.ingest(room.storedObjects.filter { $0.key != joinKey })
        #expect(!ledger.verification.accepts(hello))
        ledger.ingest([StoredObject(key: joinKey, bytes: try #require(room.objects[joinKey]))])
        #expect(ledger.verification.accepts(hello))
        #expect(ledger.verification.alarms.isEmpty)
        sameResult(ledger.verification, room.verify())
    }
}
