import Testing
@testable import ChatProtocol

/// The room-wide stages take shortcuts for the common case: plain messages
/// are accepted without the resolver's general path and entered in the table
/// of events in bulk, and a key whose events form one plain chain skips the
/// general chain search. Both must change nothing: every room here is
/// verified with and without them, and everything a verification and its
/// frontier hold must be the same.
@Suite struct VerificationShortcutTests {
    func expectSameWithAndWithout(_ room: TestRoom, _ comment: Comment, sourceLocation: SourceLocation = #_sourceLocation) {
        var fast = RoomLedger(roomID: room.roomID, verifier: RoomVerifier(nowMs: room.now + 3_600_000))
        var slowVerifier = RoomVerifier(nowMs: room.now + 3_600_000)
        slowVerifier.shortcuts = false
        var slow = RoomLedger(roomID: room.roomID, verifier: slowVerifier)
        fast.ingest(room.storedObjects)
        slow.ingest(room.storedObjects)
        let (a, b) = (fast.verification, slow.verification)
        #expect(a.accepted.map(\.event.eventID) == b.accepted.map(\.event.eventID), comment, sourceLocation: sourceLocation)
        #expect(a.accepted.map(\.marks) == b.accepted.map(\.marks), comment, sourceLocation: sourceLocation)
        #expect(a.accepted.map(\.signer) == b.accepted.map(\.signer), comment, sourceLocation: sourceLocation)
        #expect(a.rejected == b.rejected, comment, sourceLocation: sourceLocation)
        #expect(a.alarms == b.alarms, comment, sourceLocation: sourceLocation)
        #expect(a.state.membership == b.state.membership, comment, sourceLocation: sourceLocation)
        #expect(a.state.trustedKeys == b.state.trustedKeys, comment, sourceLocation: sourceLocation)
        #expect(a.state.redacted == b.state.redacted, comment, sourceLocation: sourceLocation)
        #expect(a.state.edits == b.state.edits, comment, sourceLocation: sourceLocation)
        #expect(a.state.reactions == b.state.reactions, comment, sourceLocation: sourceLocation)
        #expect(a.state.threadChildren == b.state.threadChildren, comment, sourceLocation: sourceLocation)
        // The table of events: every accepted id, and no line that was not accepted.
        for event in a.accepted {
            #expect(a.state.contains(eventID: event.event.eventID), comment, sourceLocation: sourceLocation)
        }
        let (x, y) = (fast.frontier, slow.frontier)
        #expect(x?.unacceptedIDs == y?.unacceptedIDs, comment, sourceLocation: sourceLocation)
        for id in x?.unacceptedIDs ?? [] {
            #expect(!a.state.contains(eventID: id.value), comment, sourceLocation: sourceLocation)
        }
        #expect(x?.missingPrevs == y?.missingPrevs, comment, sourceLocation: sourceLocation)
        #expect(x?.last == y?.last && x?.barrier == y?.barrier, comment, sourceLocation: sourceLocation)
        #expect(x.map { Dictionary(uniqueKeysWithValues: $0.tips.map { ($0.key, "\($0.value.hash.value) \($0.value.timestampMs) \($0.value.linked)") }) }
                == y.map { Dictionary(uniqueKeysWithValues: $0.tips.map { ($0.key, "\($0.value.hash.value) \($0.value.timestampMs) \($0.value.linked)") }) },
                comment, sourceLocation: sourceLocation)
    }

    @Test(arguments: 0..<12) func randomRoomsAreVerifiedAlikeWithAndWithoutShortcuts(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let room = try TestRoom.random(&random)
        expectSameWithAndWithout(room, "intact, seed \(seed)")

        // Damaged copies: an object lost (gaps, a join withheld), an object
        // stored twice under another device's name (duplicates), a line cut.
        let logs = room.objects.keys.filter { $0.hasSuffix(".jsonl") }.sorted()
        var lost = room
        lost.objects[logs[Int(random.next() % UInt64(logs.count))]] = nil
        expectSameWithAndWithout(lost, "an object lost, seed \(seed)")

        var doubled = room
        let copied = logs[Int(random.next() % UInt64(logs.count))]
        doubled.objects[copied.replacingOccurrences(of: ".jsonl", with: "x.jsonl")] = room.objects[copied]
        expectSameWithAndWithout(doubled, "an object stored twice, seed \(seed)")

        var cut = room
        let damaged = logs[Int(random.next() % UInt64(logs.count))]
        if var bytes = cut.objects[damaged], bytes.count > 20 {
            bytes.removeSubrange((bytes.count / 2)..<(bytes.count / 2 + 10))
            cut.objects[damaged] = bytes
        }
        expectSameWithAndWithout(cut, "a line cut, seed \(seed)")
    }

    @Test func forksAndEqualTimestampsTakeTheGeneralSearch() throws {
        var room = try TestRoom.withMembers()
        try room.say("bob_b1", "before the copy")
        try room.flush("bob_b1")
        room.devices["bob_clone"] = room.devices["bob_b1"]
        try room.say("bob_b1", "from the original")
        try room.say("bob_clone", "from the clone")
        try room.flushAll()
        expectSameWithAndWithout(room, "a fork")
        #expect(room.verify().alarms.map(\.kind) == [.fork])
    }
}

extension VerificationShortcutTests {
    /// Two events of one key with the same timestamp, the second naming the
    /// first: in timeline order they look like a plain chain, but a device's
    /// timestamps strictly increase, so the general audit calls it a fork.
    @Test func aChainThatDoesNotMoveForwardInTimeIsAFork() throws {
        var room = try TestRoom.withMembers()
        let bob = try #require(room.devices["bob_b1"])
        let at = room.now + 100
        let id = room.roomID + "::" + UTCTime(milliseconds: at).compact + "::"
        let first = try Event.signed(roomID: room.roomID, eventID: id + "a", timestampMs: at, senderID: bob.senderID,
                                     type: EventType.message, content: MessageContent(body: "one").json,
                                     prevEventHash: bob.prevEventHash, key: bob.key)
        let second = try Event.signed(roomID: room.roomID, eventID: id + "b", timestampMs: at, senderID: bob.senderID,
                                      type: EventType.message, content: MessageContent(body: "two").json,
                                      prevEventHash: first.hash, key: bob.key)
        let file = try LogFile.encode([first, second], roomID: room.roomID, clientID: "bob_b1")
        room.objects[file.name.key] = file.bytes
        #expect(room.verify().alarms.map(\.kind) == [.fork])
        expectSameWithAndWithout(room, "a repeated timestamp")
    }
}

/// The index a room's table of events is built on.
@Suite struct EventIndexTests {
    func entries(_ ids: [String]) -> [EventIndex.Entry] {
        ids.enumerated().map { EventIndex.Entry(id: $1, ref: RoomState.EventRef(senderID: "user:\($0)", type: "t", timestampMs: Int64($0))) }
    }

    @Test func findsEveryIdOnceAndReportsTheRepeatedOnes() {
        var ids = (0..<20_000).map { "room::\($0)::id" }
        ids += ["room::7::id", "room::19999::id", "room::19999::id", "é", "e\u{301}"]
        let index = EventIndex(.entries(entries(ids)))
        #expect(index.repeats == [7, 19_999, 20_000, 20_001, 20_002])
        for place in 0..<20_000 where place != 7 && place != 19_999 {
            #expect(index.place(of: ids[place]) == place)
        }
        #expect(index.place(of: "room::7::id") == nil, "an id held twice is not mapped")
        #expect(index.place(of: "é") == 20_003 && index.place(of: "e\u{301}") == 20_004, "ids are compared by bytes")
        #expect(index.place(of: "room::20000::id") == nil)
        #expect(index.place(of: "") == nil)
    }

    @Test func theTableShowsOnlyWhatIsEntered() {
        let ids = ["a", "b", "c"]
        var table = EventTable(over: EventIndex(.entries(entries(ids))))
        #expect(table[ExactString("a")] == nil, "nothing is in the table until it is shown")
        table.show(1)
        #expect(table[ExactString("b")]?.senderID == "user:1")
        #expect(table[ExactString("a")] == nil)
        // Entering one of the indexed events by id shows it; another event with
        // that id (other fields) is kept apart and wins.
        table.insert(ExactString("a"), RoomState.EventRef(senderID: "user:0", type: "t", timestampMs: 0))
        #expect(table.isShown(0))
        table.insert(ExactString("c"), RoomState.EventRef(senderID: "user:x", type: "t", timestampMs: 9))
        #expect(!table.isShown(2))
        #expect(table[ExactString("c")]?.senderID == "user:x")
        table.insert(ExactString("new"), RoomState.EventRef(senderID: "user:n", type: "t", timestampMs: 1))
        #expect(table[ExactString("new")]?.senderID == "user:n")
    }
}
