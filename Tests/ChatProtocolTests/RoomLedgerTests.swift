import Foundation
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

@Suite struct SignatureMemoTests {
    let now: Int64 = 1_757_851_300_000

    @Test func memoLearnsOnlyVerifiedSignaturesAndGivesTheSameResult() throws {
        let objects = try Fixtures.roomObjects()
        let memo = SignatureMemo()
        let first = RoomVerifier(nowMs: now, memo: memo).verify(roomID: "room_vectors01", objects: objects)
        // 16 accepted events and carol's two (her own declared key verifies them); never mallory's forgery.
        #expect(memo.count == 18)
        let second = RoomVerifier(nowMs: now, memo: memo).verify(roomID: "room_vectors01", objects: objects)
        #expect(second.accepted.map(\.event.eventID) == first.accepted.map(\.event.eventID))
        #expect(second.rejected == first.rejected)
    }

    @Test func memoSurvivesAFileRoundTrip() throws {
        let path = NSTemporaryDirectory() + "bucketchat-memo-\(UUID().uuidString).bin"
        defer { unlink(path) }
        let objects = try Fixtures.roomObjects()
        let memo = SignatureMemo(path: path)
        _ = RoomVerifier(nowMs: now, memo: memo).verify(roomID: "room_vectors01", objects: objects)
        #expect(memo.save())
        let reopened = SignatureMemo(path: path)
        #expect(reopened.count == memo.count)
        let again = RoomVerifier(nowMs: now, memo: reopened).verify(roomID: "room_vectors01", objects: objects)
        #expect(again.accepted.count == 16)
        #expect(again.rejected.map(\.reason).filter { $0 == .badSignature }.count == 1)
    }

    @Test func aMemoCannotMakeAnUntrustedKeyTrusted() throws {
        var room = try TestRoom.withMembers()
        room.addDevice("mallory", sender: "user:bob", key: TestRoom.key(66))
        let forged = try room.say("mallory", "I am bob")
        try room.flush("mallory")
        // The memo may well say "this verifies under mallory's key": it does. Trust is decided anew.
        let memo = SignatureMemo()
        let digest = SHA256.digest(forged.canonicalBytes)
        memo.remember(hash: digest, signature: try #require(Base64.decode(forged.signature)), key: TestRoom.key(66).publicKey)
        let result = RoomVerifier(nowMs: room.now + 1000, memo: memo).verify(roomID: room.roomID, objects: room.storedObjects)
        #expect(result.reason(of: forged) == .badSignature)
    }
}
