import Testing
@testable import ChatProtocol

/// The ledger's short path (``RoomLedger/append(_:)``) must give exactly what
/// a full run gives; these tests check that it is taken where it should be,
/// refused where it must be, and compare with a full run every time.
@Suite struct RoomLedgerAppendTests {
    func expectSame(_ a: RoomVerification, _ b: RoomVerification, _ comment: Comment? = nil,
                    sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(a.accepted.map(\.event.eventID) == b.accepted.map(\.event.eventID), comment, sourceLocation: sourceLocation)
        #expect(a.accepted.map(\.marks) == b.accepted.map(\.marks), comment, sourceLocation: sourceLocation)
        #expect(a.accepted.map(\.signer) == b.accepted.map(\.signer), comment, sourceLocation: sourceLocation)
        #expect(a.rejected == b.rejected, comment, sourceLocation: sourceLocation)
        #expect(a.alarms == b.alarms, comment, sourceLocation: sourceLocation)
        #expect(a.warnings == b.warnings, comment, sourceLocation: sourceLocation)
        #expect(a.skippedKeys == b.skippedKeys, comment, sourceLocation: sourceLocation)
        #expect(a.state.membership == b.state.membership, comment, sourceLocation: sourceLocation)
        #expect(a.state.trustedKeys == b.state.trustedKeys, comment, sourceLocation: sourceLocation)
        #expect(a.state.name == b.state.name && a.state.topic == b.state.topic, comment, sourceLocation: sourceLocation)
        #expect(a.state.redacted == b.state.redacted, comment, sourceLocation: sourceLocation)
        #expect(a.state.edits == b.state.edits, comment, sourceLocation: sourceLocation)
        #expect(a.state.reactions == b.state.reactions, comment, sourceLocation: sourceLocation)
        #expect(a.state.threadChildren == b.state.threadChildren, comment, sourceLocation: sourceLocation)
    }

    func ledger(_ room: TestRoom) -> RoomLedger {
        var ledger = RoomLedger(roomID: room.roomID, verifier: RoomVerifier(nowMs: room.now + 3_600_000))
        ledger.ingest(room.storedObjects)
        return ledger
    }

    func object(_ room: TestRoom, _ key: String) throws -> StoredObject {
        StoredObject(key: key, bytes: try #require(room.objects[key]))
    }

    @Test func newMessagesAtTheEndAreAddedWithoutAFullRun() throws {
        var room = try TestRoom.withMembers()
        var ledger = ledger(room)
        #expect(ledger.newlyAccepted == nil, "the first ingest is a full run")
        for round in 0..<5 {
            let hello = try room.say("bob_b1", "hello \(round)")
            let reply = try room.say("carol_c1", "hi bob", parent: hello.eventID)
            let bobKey = try room.flush("bob_b1")
            let carolKey = try room.flush("carol_c1")
            ledger.ingest([try object(room, bobKey), try object(room, carolKey)])
            #expect(ledger.newlyAccepted?.map(\.event.eventID) == [hello.eventID, reply.eventID])
            expectSame(ledger.verification, RoomVerifier(nowMs: room.now + 3_600_000).verify(roomID: room.roomID, objects: room.storedObjects))
        }
    }

    @Test func aLateMessageAmongMessagesIsSlottedInPlace() throws {
        var room = try TestRoom.withMembers()
        var ledger = ledger(room)
        let early = try room.say("carol_c1", "written first, uploaded last")
        let carolKey = try room.flush("carol_c1")
        let later = try room.say("bob_b1", "written second")
        let bobKey = try room.flush("bob_b1")
        ledger.ingest([try object(room, bobKey)])
        ledger.ingest([try object(room, carolKey)])
        #expect(ledger.newlyAccepted?.map(\.event.eventID) == [early.eventID], "a plain message after the last membership change needs no full run")
        #expect(ledger.verification.accepted.suffix(2).map(\.event.eventID) == [early.eventID, later.eventID])
        expectSame(ledger.verification, room.verify())
    }

    @Test func aLateMessageBeforeAMembershipChangeTakesTheFullRun() throws {
        var room = try TestRoom.withMembers()
        var ledger = ledger(room)
        let said = try room.say("bob_b1", "said while still a member")
        let bobKey = try room.flush("bob_b1")
        try room.member("alice_a1", "kick", target: "user:bob")
        let kickKey = try room.flush("alice_a1")
        ledger.ingest([try object(room, kickKey)])
        #expect(ledger.newlyAccepted != nil)
        ledger.ingest([try object(room, bobKey)])
        #expect(ledger.newlyAccepted == nil, "bob's message sorts before his kick: the membership as it stands no longer judges it")
        #expect(ledger.verification.accepts(said))
        expectSame(ledger.verification, room.verify())
    }

    @Test func aLateJoinMakesRejectedMessagesAcceptable() throws {
        var room = try TestRoom()
        try room.member("alice_a1", "invite", target: "user:bob")
        let inviteKey = try room.flush("alice_a1")
        room.addDevice("bob_b1", sender: "user:bob", key: TestRoom.key(2))
        try room.join("bob_b1")
        let joinKey = try room.flush("bob_b1")
        let hello = try room.say("bob_b1", "hello")
        let helloKey = try room.flush("bob_b1")
        var ledger = RoomLedger(roomID: room.roomID, verifier: RoomVerifier(nowMs: room.now + 1000))
        ledger.ingest(room.storedObjects.filter { $0.key != inviteKey && $0.key != joinKey && $0.key != helloKey })
        ledger.ingest([try object(room, helloKey)])
        #expect(!ledger.verification.accepts(hello))
        ledger.ingest([try object(room, inviteKey), try object(room, joinKey)])
        #expect(ledger.newlyAccepted == nil)
        #expect(ledger.verification.accepts(hello))
        expectSame(ledger.verification, room.verify())
    }

    @Test func duplicatesForksAndClosedGapsTakeTheFullRun() throws {
        var room = try TestRoom.withMembers()
        try room.say("bob_b1", "one")
        try room.flush("bob_b1")
        try room.say("bob_b1", "two")
        let withheld = try room.flush("bob_b1")
        try room.say("bob_b1", "three")
        let third = try room.flush("bob_b1")
        var ledger = RoomLedger(roomID: room.roomID, verifier: RoomVerifier(nowMs: room.now + 1000))
        ledger.ingest(room.storedObjects.filter { $0.key != withheld && $0.key != third })
        ledger.ingest([try object(room, third)])
        #expect(ledger.newlyAccepted == nil, "three does not extend bob's chain at its tip")
        #expect(ledger.verification.alarms.map(\.kind) == [.gap])
        ledger.ingest([try object(room, withheld)])
        #expect(ledger.newlyAccepted == nil, "two closes the gap")
        #expect(ledger.verification.alarms.isEmpty)
        expectSame(ledger.verification, room.verify())

        // The same events again under another name: duplicates.
        let copy = "rooms/\(room.roomID)/logs/" + String(third.split(separator: "/").suffix(2).joined(separator: "/"))
            .replacingOccurrences(of: "bob_b1", with: "bob_b2")
        room.objects[copy] = room.objects[third]
        ledger.ingest([try object(room, copy)])
        #expect(ledger.newlyAccepted == nil)
        expectSame(ledger.verification, room.verify())

        // A second device with bob's key: its chain starts again.
        room.addDevice("bob_clone", sender: "user:bob", key: TestRoom.key(2))
        try room.say("bob_clone", "from a clone")
        let clone = try room.flush("bob_clone")
        ledger.ingest([try object(room, clone)])
        #expect(ledger.newlyAccepted == nil)
        #expect(ledger.verification.alarms.map(\.kind).contains(.fork))
        expectSame(ledger.verification, room.verify())
    }

    /// Random rooms, objects delivered in random batches and orders: after
    /// every batch the ledger equals a full run over what it has seen.
    @Test(arguments: 0..<12) func randomDeliveriesMatchFullRuns(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let room = try TestRoom.random(&random)

        var pending = room.storedObjects.shuffled(using: &random)
        var ledger = RoomLedger(roomID: room.roomID, verifier: RoomVerifier(nowMs: room.now + 1000))
        var delivered: [StoredObject] = []
        while !pending.isEmpty {
            let count = min(pending.count, 1 + Int(random.next() % 3))
            let batch = Array(pending.prefix(count))
            pending.removeFirst(count)
            delivered += batch
            ledger.ingest(batch)
            expectSame(ledger.verification, RoomVerifier(nowMs: room.now + 1000).verify(roomID: room.roomID, objects: delivered),
                       "seed \(seed), after \(delivered.count) objects")
        }

        // Then roughly in the order they were written, as a live reader sees
        // them: some swapped with their neighbour (uploads finishing out of order).
        func start(_ object: StoredObject) -> Int64 { LogObjectName(key: object.key)?.startTs ?? 0 }
        var written = room.storedObjects.sorted { start($0) < start($1) }
        for i in stride(from: 1, to: written.count - 1, by: 1) where random.next() % 4 == 0 { written.swapAt(i, i + 1) }
        var live = RoomLedger(roomID: room.roomID, verifier: RoomVerifier(nowMs: room.now + 1000))
        var liveDelivered: [StoredObject] = []
        var liveShortPaths = 0
        for object in written {
            live.ingest([object])
            liveDelivered.append(object)
            if live.newlyAccepted != nil { liveShortPaths += 1 }
            expectSame(live.verification, RoomVerifier(nowMs: room.now + 1000).verify(roomID: room.roomID, objects: liveDelivered),
                       "seed \(seed), near written order, after \(liveDelivered.count) objects")
        }
        #expect(liveShortPaths > written.count / 3, "objects arriving in about the order they were written mostly take the short path")
    }

    /// A sync prepares batches while it fetches more and takes each in
    /// before preparing the next, then concludes once: whatever the batches
    /// and their order (messages before the joins that declare their keys,
    /// metadata last), that must be what one ingest of everything gives.
    @Test(arguments: 0..<12) func batchesTakenInAnyOrderMatchOneIngest(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let room = try TestRoom.random(&random)
        let verifier = RoomVerifier(nowMs: room.now + 1000)
        let expected = verifier.verify(roomID: room.roomID, objects: room.storedObjects)
        var objects = room.storedObjects.shuffled(using: &random)
        if seed % 2 == 0 { objects.sort { a, _ in !a.key.hasSuffix("metadata.json") } }
        var ledger = RoomLedger(roomID: room.roomID, verifier: verifier)
        while !objects.isEmpty {
            let count = min(objects.count, 1 + Int(random.next() % 4))
            ledger.take(ledger.preparer.prepare(Array(objects.prefix(count))))
            objects.removeFirst(count)
        }
        ledger.conclude()
        expectSame(ledger.verification, expected, "seed \(seed)")
        #expect(ledger.newlyAccepted == nil, "a first conclusion is a full run")

        // And on a ledger that has a frontier: new objects in two batches, one conclusion.
        var more = room
        let hello = try more.say("bob_b1", "hello again")
        let reply = try more.say("carol_c1", "hi", parent: hello.eventID)
        let bob = try more.flush("bob_b1")
        let carol = try more.flush("carol_c1")
        ledger.take(ledger.preparer.prepare([try object(more, carol)]))
        ledger.take(ledger.preparer.prepare([try object(more, bob)]))
        ledger.conclude()
        expectSame(ledger.verification, verifier.verify(roomID: room.roomID, objects: more.storedObjects), "seed \(seed), then two more")
        if ledger.newlyAccepted != nil { #expect(ledger.newlyAccepted?.map(\.event.eventID) == [hello.eventID, reply.eventID].filter { id in ledger.verification.accepted.contains { $0.event.eventID == id } }) }
    }
}
