import Testing
@testable import ChatProtocol

/// A ledger restored from its snapshot must be the ledger it was written
/// from: the same verification, and the same results for whatever is
/// ingested next, by the short path or a full run.
@Suite struct RoomSnapshotTests {
    let checks = RoomLedgerAppendTests()

    /// Every object has version "v1" unless a test says otherwise.
    func versions(_ objects: [StoredObject], except changed: String? = nil) -> [String: String] {
        Dictionary(objects.map { ($0.key, $0.key == changed ? "v2" : "v1") }, uniquingKeysWith: { a, _ in a })
    }

    func write(_ ledger: RoomLedger, _ objects: [StoredObject]) -> SnapshotBytes? {
        let tags = versions(objects)
        return ledger.snapshot(version: { tags[$0] }).map { SnapshotBytes($0.bytes) }
    }

    func expectSameEvents(_ a: RoomVerification, _ b: RoomVerification, _ comment: Comment? = nil) {
        #expect(a.accepted.map(\.hash) == b.accepted.map(\.hash), comment)
        #expect(a.accepted.map(\.objectKey) == b.accepted.map(\.objectKey), comment)
        #expect(a.accepted.map(\.line) == b.accepted.map(\.line), comment)
        #expect(a.accepted.map(\.event.lineBytes) == b.accepted.map(\.event.lineBytes), comment)
        #expect(a.accepted.map(\.event.signature) == b.accepted.map(\.event.signature), comment)
        #expect(a.accepted.map(\.event.prevEventHash) == b.accepted.map(\.event.prevEventHash), comment)
        #expect(a.accepted.map(\.event.parentEventID) == b.accepted.map(\.event.parentEventID), comment)
        #expect(a.accepted.map { $0.event.canonicalBytes } == b.accepted.map { $0.event.canonicalBytes }, comment)
    }

    /// Everything the state knows of each member, and who is typing.
    func expectSameMembers(_ a: RoomState, _ b: RoomState, _ comment: Comment) {
        #expect(a.members.keys.sorted() == b.members.keys.sorted(), comment)
        for (id, x) in a.members {
            guard let y = b.members[id] else { continue }
            #expect(x.membership == y.membership && x.displayName == y.displayName && x.keys == y.keys
                    && x.revokedKeys == y.revokedKeys && x.devices == y.devices && x.pinnedKey == y.pinnedKey
                    && x.everJoined == y.everJoined, "\(id): \(comment)")
        }
        #expect(a.invitedNeverJoined == b.invitedNeverJoined, comment)
        #expect(a.typing(nowMs: 0) == b.typing(nowMs: 0), comment)
        #expect(a.name == b.name && a.topic == b.topic, comment)
    }

    /// A state with everything a snapshot writes: display names, devices, a
    /// pinned invite, a revoked key, a rename, a topic, typing, a file
    /// message edited, redactions, reactions and a thread.
    @Test func everyPartOfTheStateIsRestored() throws {
        var room = try TestRoom(admins: ["user:alice"])
        room.addDevice("bob_b1", sender: "user:bob", key: TestRoom.key(2))
        room.addDevice("bob_b2", sender: "user:bob", key: TestRoom.key(4))
        room.addDevice("dave_d1", sender: "user:dave", key: TestRoom.key(5))
        try room.member("alice_a1", "invite", target: "user:bob")
        try room.member("alice_a1", "invite", target: "user:dave", key: TestRoom.key(5).publicKey)
        try room.emit("alice_a1", EventType.name, JSONObject([("name", "Renamed")]))
        try room.emit("alice_a1", EventType.topic, JSONObject([("topic", "Plans")]))
        try room.join("bob_b1", displayName: "Bob")
        try room.join("bob_b1", key: TestRoom.key(4).publicKey)
        try room.join("bob_b2", key: TestRoom.key(4).publicKey, revoke: [TestRoom.key(2).publicKey])
        let file = MessageContent(body: "plan.pdf", msgtype: "m.file",
                                  file: MessageContent.FileInfo(name: "plan.pdf", size: 12, mimetype: "application/pdf", sha256: String(repeating: "ab", count: 32)))
        let shared = try room.emit("bob_b2", EventType.message, file.json)
        try room.emit("bob_b2", EventType.edit, JSONObject([("replaces", .string(shared.eventID)), ("new_content", .object(MessageContent(body: "the plan").json))]))
        let hello = try room.say("alice_a1", "hello")
        try room.emit("bob_b2", EventType.reaction, JSONObject([("relates_to", .string(hello.eventID)), ("reaction", "👍")]))
        let oops = try room.say("alice_a1", "oops")
        try room.emit("alice_a1", EventType.redaction, JSONObject([("redacts", .string(oops.eventID))]))
        try room.say("bob_b2", "in the thread", parent: hello.eventID)
        try room.emit("bob_b2", EventType.typing, JSONObject([("typing", true)]))
        try room.flushAll()
        let objects = room.storedObjects
        let verifier = RoomVerifier(nowMs: room.now + 1000)
        var ledger = RoomLedger(roomID: room.roomID, verifier: verifier)
        ledger.ingest(objects)
        let state = ledger.verification.state
        #expect(state.name == "Renamed" && state.topic == "Plans" && state.members["user:bob"]?.revokedKeys.count == 1)
        #expect(state.members["user:dave"]?.pinnedKey != nil && !state.edits.isEmpty && !state.reactions.isEmpty)
        #expect(!state.redacted.isEmpty && !state.threadChildren.isEmpty && !state.typing(nowMs: room.now).isEmpty)
        let bytes = try #require(write(ledger, objects))
        let restored = try #require(RoomLedger.restore(bytes, roomID: room.roomID, verifier: verifier, versions: versions(objects)))
        checks.expectSame(restored.verification, ledger.verification, "every part")
        expectSameMembers(restored.verification.state, state, "every part")
        #expect(restored.verification.state.typing(nowMs: room.now) == state.typing(nowMs: room.now))
        #expect(restored.verification.state.currentEdit(of: shared.eventID)?.content == state.currentEdit(of: shared.eventID)?.content)
    }

    /// Random rooms delivered in random batches: after every batch the ledger
    /// is written and restored, and the restored one takes the next batch. It
    /// must match a full run over what was delivered, every time.
    @Test(arguments: 0..<12) func restoredLedgersGoOnAsIfNeverWritten(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let room = try TestRoom.random(&random)
        let verifier = RoomVerifier(nowMs: room.now + 1000)
        var pending = room.storedObjects.shuffled(using: &random)
        // Metadata first, so that there is something to write from the start.
        pending.sort { a, _ in a.key.hasSuffix("metadata.json") }
        var ledger = RoomLedger(roomID: room.roomID, verifier: verifier)
        var delivered: [StoredObject] = []
        var restores = 0
        while !pending.isEmpty {
            let count = min(pending.count, 1 + Int(random.next() % 3))
            let batch = Array(pending.prefix(count))
            pending.removeFirst(count)
            delivered += batch
            ledger.ingest(batch)
            let full = verifier.verify(roomID: room.roomID, objects: delivered)
            checks.expectSame(ledger.verification, full, "seed \(seed), after \(delivered.count) objects")
            guard let bytes = write(ledger, delivered) else { continue }
            let restored = try #require(RoomLedger.restore(bytes, roomID: room.roomID, verifier: verifier, versions: versions(delivered)),
                                        "seed \(seed): a snapshot just written restores")
            checks.expectSame(restored.verification, ledger.verification, "seed \(seed), restored after \(delivered.count) objects")
            expectSameMembers(restored.verification.state, ledger.verification.state, "seed \(seed), restored after \(delivered.count) objects")
            expectSameEvents(restored.verification, full, "seed \(seed), restored after \(delivered.count) objects")
            #expect(restored.objectKeys == ledger.objectKeys)
            #expect(restored.verification.accepted.allSatisfy { $0.event.deferredLine != nil }, "restored events are not decoded")
            // The table of events is the index written with the snapshot, read in place.
            for event in full.accepted {
                #expect(restored.verification.state.timestampMs(of: event.event.eventID) == event.event.timestampMs)
            }
            for rejection in full.rejected {
                if let id = rejection.eventID, !full.accepted.contains(where: { $0.event.eventID == id }) {
                    #expect(!restored.verification.state.contains(eventID: id), "seed \(seed): \(rejection.reason) \(id)")
                }
            }
            ledger = restored
            restores += 1
        }
        #expect(restores > 0)
    }

    /// A room with no event yet (only its metadata) restores on many threads
    /// at once. Run under ThreadSanitizer (scripts/ci-extra.sh), this is the
    /// test that sees restores sharing memory they should not.
    @Test func emptyRoomsRestoreOnManyThreadsAtOnce() throws {
        let room = try TestRoom()
        let metadata = try #require(room.storedObjects.first { $0.key.hasSuffix("metadata.json") })
        let verifier = RoomVerifier(nowMs: room.now + 1000)
        var ledger = RoomLedger(roomID: room.roomID, verifier: verifier)
        ledger.ingest([metadata])
        #expect(ledger.verification.accepted.isEmpty)
        let bytes = try #require(write(ledger, [metadata]))
        let tags = versions([metadata])
        let roomID = room.roomID
        let restored = Parallel.map(count: 64) { _ in
            RoomLedger.restore(bytes, roomID: roomID, verifier: verifier, versions: tags).map {
                ($0.verification.accepted.count, $0.objectKeys)
            }
        }
        for outcome in restored {
            let (accepted, keys) = try #require(outcome, "an empty room's snapshot restores")
            #expect(accepted == 0)
            #expect(keys == ledger.objectKeys)
        }
    }

    @Test func aSnapshotRestoresOnlyWhileTheStoreShowsTheSameObjects() throws {
        var room = try TestRoom.withMembers()
        try room.say("bob_b1", "hello")
        let bob = try room.flush("bob_b1")
        let objects = room.storedObjects
        let verifier = RoomVerifier(nowMs: room.now + 1000)
        var ledger = RoomLedger(roomID: room.roomID, verifier: verifier)
        ledger.ingest(objects)
        let bytes = try #require(write(ledger, objects))
        func restore(_ bytes: SnapshotBytes, roomID: String? = nil, verifier: RoomVerifier? = nil,
                     versions: [String: String]? = nil) -> RoomLedger? {
            RoomLedger.restore(bytes, roomID: roomID ?? room.roomID, verifier: verifier ?? RoomVerifier(nowMs: room.now + 1000),
                               versions: versions ?? self.versions(objects))
        }
        #expect(restore(bytes) != nil)
        #expect(restore(bytes, versions: versions(objects, except: bob)) == nil, "an object with another version")
        #expect(restore(bytes, versions: versions(objects.filter { $0.key != bob })) == nil, "an object gone from the store")
        #expect(restore(bytes, roomID: "another_room") == nil)
        var pinned = verifier
        pinned.pinnedCreatorKey = TestRoom.key(9).publicKey
        #expect(restore(bytes, verifier: pinned) == nil, "a creator key pinned since raises an alarm the snapshot does not hold")
        let raw = bytes.withUnsafeBytes { Array($0) }
        for cut in [0, 1, 20, raw.count / 2, raw.count - 1] {
            #expect(restore(SnapshotBytes(Array(raw.prefix(cut)))) == nil, "cut at \(cut) of \(raw.count)")
        }
        #expect(restore(SnapshotBytes(raw + [0])) == nil)

        // A changed byte outside the lines fails the checksum — and reading
        // the damaged records and index meanwhile must not fault.
        var damaged = raw
        damaged[40] ^= 0x01
        #expect(restore(SnapshotBytes(damaged)) == nil, "the checksum covers everything but the lines")
        let lines = ledger.snapshotLines(raw)
        for place in raw.indices where !lines.contains(place) && place < raw.count - 20 {
            var flipped = raw
            flipped[place] ^= 0xFF
            #expect(restore(SnapshotBytes(flipped)) == nil, "byte \(place) of \(raw.count)")
        }

        // A changed byte in a line is found when that line is decoded: the
        // event keeps its place and id but shows no content, never other content.
        let said = try #require(restore(bytes)?.verification.accepted.last)
        let line = try #require(said.event.deferredLine)
        damaged = raw
        let body = try #require(line.array.firstRange(of: Array("hello".utf8)))
        damaged[line.range.lowerBound + body.lowerBound] = UInt8(ascii: "j")
        let restored = try #require(restore(SnapshotBytes(damaged)), "lines are checked when decoded, not at restore")
        let event = try #require(restored.verification.accepted.last)
        #expect(event.event.eventID == said.event.eventID)
        guard case .unknown = event.event.content else {
            Issue.record("a damaged line must not decode to content: \(event.event.content)")
            return
        }
        guard case .message(let message) = said.event.content else {
            Issue.record("the intact line decodes to its message")
            return
        }
        #expect(message.body == "hello")
    }

    @Test func roomsWhoseVerdictsWaitOnTheClockAreNotWritten() throws {
        var room = try TestRoom.withMembers()
        room.now += 2 * 3_600_000
        try room.say("bob_b1", "from the future")
        try room.flush("bob_b1")
        var ledger = RoomLedger(roomID: room.roomID, verifier: RoomVerifier(nowMs: room.now - 2 * 3_600_000 + 1000))
        ledger.ingest(room.storedObjects)
        #expect(ledger.verification.rejected.map(\.reason) == [.futureTimestamp])
        #expect(write(ledger, room.storedObjects) == nil)
    }
}

extension RoomLedger {
    /// Where a snapshot's lines are, from its trailer.
    func snapshotLines(_ raw: [UInt8]) -> Range<Int> {
        func u64(_ at: Int) -> Int { raw[at..<(at + 8)].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) } }
        return u64(raw.count - 20)..<u64(raw.count - 12)
    }
}
