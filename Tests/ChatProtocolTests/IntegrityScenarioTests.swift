import Foundation
import Testing
@testable import ChatProtocol

@Suite struct ChainScenarioTests {
    @Test func deletedMiddleFileIsAGapAndLaterEventsStay() throws {
        var room = try TestRoom.withMembers()
        try room.say("bob_b1", "one")
        try room.flush("bob_b1")
        try room.say("bob_b1", "two")
        let middle = try room.flush("bob_b1")
        let three = try room.say("bob_b1", "three")
        try room.flush("bob_b1")
        #expect(room.verify().alarms.isEmpty)
        room.objects[middle] = nil
        let result = room.verify()
        #expect(result.alarms.map(\.kind) == [.gap])
        #expect(result.alarms.first?.eventID == three.eventID)
        #expect(result.alarms.first?.senderID == "user:bob")
        let kept = try #require(result.accepted.first { $0.event.eventID == three.eventID })
        #expect(kept.marks == [.gap], "the event stays, marked")
        #expect(result.hasIntegrityProblem)
    }

    @Test func deletedFirstFileIsAGap() throws {
        var room = try TestRoom.withMembers()
        try room.say("alice_a1", "x")
        try room.flush("alice_a1")
        let first = room.objects.keys.first { $0.hasSuffix("alice_a1.jsonl") && room.objects[$0].map { String(decoding: $0, as: UTF8.self).contains("\"join\"") } == true }
        room.objects[try #require(first)] = nil
        let result = room.verify()
        #expect(result.alarms.contains { $0.kind == .gap })
    }

    @Test func oneKeyOnTwoLiveDevicesIsAFork() throws {
        var room = try TestRoom.withMembers()
        try room.say("bob_b1", "before the copy")
        try room.flush("bob_b1")
        // A cloned device: the same key and chain state continue on two machines.
        room.devices["bob_clone"] = room.devices["bob_b1"]
        let a = try room.say("bob_b1", "from the original")
        let b = try room.say("bob_clone", "from the clone")
        try room.flushAll()
        let result = room.verify()
        #expect(result.alarms.map(\.kind) == [.fork])
        #expect([a.eventID, b.eventID].contains(result.alarms.first?.eventID ?? ""))
        #expect(result.accepts(a) && result.accepts(b), "both are authentic and stay, marked")
    }

    @Test func unauthorisedButAuthenticEventsDoNotBreakTheChain() throws {
        var room = try TestRoom.withMembers()
        try room.emit("bob_b1", EventType.name, JSONObject([("name", "nope")]))
        try room.say("bob_b1", "after the refused rename")
        try room.flush("bob_b1")
        let result = room.verify()
        #expect(result.rejected.map(\.reason) == [.unauthorized])
        #expect(result.alarms.isEmpty)
    }
}

@Suite struct PlacementScenarioTests {
    @Test func eventOutsideItsObjectNameRangeIsFileMismatch() throws {
        var room = try TestRoom.withMembers()
        let event = try room.say("bob_b1", "misfiled")
        room.pending["bob_b1"] = []
        let name = LogObjectName(roomID: room.roomID, startTs: event.timestampMs + 5, endTs: event.timestampMs + 9, clientID: "bob_b1")
        room.objects[name.key] = event.lineBytes + [0x0A]
        let result = room.verify()
        #expect(result.reason(of: event) == .fileMismatch)
        #expect(result.alarms.isEmpty, "the event still counts in its chain")
    }

    @Test func objectInTheWrongDateFolderIsFileMismatch() throws {
        var room = try TestRoom.withMembers()
        let event = try room.say("bob_b1", "wrong folder")
        room.pending["bob_b1"] = []
        let key = "rooms/\(room.roomID)/logs/2001-01-01/messages_\(event.timestampMs)_\(event.timestampMs)_bob_b1.jsonl"
        room.objects[key] = event.lineBytes + [0x0A]
        let result = room.verify()
        #expect(result.reason(of: event) == .fileMismatch)
        #expect(result.rejected.first?.detail.contains("date folder") == true)
    }

    @Test func eventMoreThanAnHourAheadIsFutureTimestamp() throws {
        var room = try TestRoom.withMembers()
        room.now += 2 * 3_600_000
        let event = try room.say("bob_b1", "from the future")
        try room.flush("bob_b1")
        let result = RoomVerifier(nowMs: room.now - 2 * 3_600_000).verify(roomID: room.roomID, objects: room.storedObjects)
        #expect(result.reason(of: event) == .futureTimestamp)
        let fine = RoomVerifier(nowMs: room.now - 3_000_000).verify(roomID: room.roomID, objects: room.storedObjects)
        #expect(fine.accepts(event), "within the hour is accepted")
    }

    @Test func keysOutsideThePatternsAreSkippedAndReported() throws {
        var room = try TestRoom()
        room.objects["rooms/room_test/logs/notes.txt"] = Array("x".utf8)
        room.objects["rooms/room_test/logs/2025-10-09/messages_1_x_bad.jsonl"] = Array("x".utf8)
        room.objects["rooms/room_test/attachments/" + String(repeating: "a", count: 64)] = [1, 2]
        let result = room.verify()
        #expect(result.skippedKeys == ["rooms/room_test/logs/2025-10-09/messages_1_x_bad.jsonl", "rooms/room_test/logs/notes.txt"])
        #expect(result.rejected.isEmpty)
    }

    @Test func malformedLineIsRejectedAndItsNeighboursKept() throws {
        var room = try TestRoom.withMembers()
        let a = try room.say("bob_b1", "a")
        let b = try room.say("bob_b1", "b")
        room.pending["bob_b1"] = []
        let name = LogObjectName(roomID: room.roomID, startTs: a.timestampMs, endTs: b.timestampMs, clientID: "bob_b1")
        room.objects[name.key] = a.lineBytes + [0x0A] + Array("{\"event_id\": oops\n".utf8) + b.lineBytes + [0x0A]
        let result = room.verify()
        #expect(result.accepts(a) && result.accepts(b))
        #expect(result.rejected.count == 1)
        #expect(result.rejected.first?.reason == .malformedJSON)
        #expect(result.rejected.first?.line == 2)
        #expect(result.rejected.first?.objectKey == name.key)
    }

    @Test func oversizedLineIsRejectedWithoutParsing() throws {
        var room = try TestRoom.withMembers()
        let key = LogObjectName(roomID: room.roomID, startTs: room.now, endTs: room.now, clientID: "big").key
        room.objects[key] = Array(repeating: UInt8(ascii: " "), count: 70_000) + Array("{}\n".utf8)
        let result = room.verify()
        #expect(result.rejected.first?.reason == .malformedJSON)
        #expect(result.rejected.first?.detail.contains("64 KiB") == true)
    }
}

@Suite struct DuplicateScenarioTests {
    @Test func identicalCopiesMergeSilently() throws {
        var room = try TestRoom.withMembers()
        let event = try room.say("bob_b1", "once")
        let key = try room.flush("bob_b1")
        let bytes = try #require(room.objects[key])
        let copy = LogObjectName(roomID: room.roomID, startTs: event.timestampMs, endTs: event.timestampMs, clientID: "bob_retry").key
        room.objects[copy] = bytes
        let result = room.verify()
        #expect(result.accepted.filter { $0.event.eventID == event.eventID }.count == 1)
        #expect(result.rejected.isEmpty && result.alarms.isEmpty)
    }

    @Test func twoSignedVersionsOfOneIDAreAConflict() throws {
        var room = try TestRoom.withMembers()
        let original = try room.say("bob_b1", "pay alice 5")
        try room.flush("bob_b1")
        let other = try Event.signed(roomID: room.roomID, eventID: original.eventID, timestampMs: original.timestampMs,
                                     senderID: "user:bob", type: EventType.message, content: MessageContent(body: "pay mallory 500").json,
                                     prevEventHash: original.prevEventHash, key: TestRoom.key(2))
        let key = LogObjectName(roomID: room.roomID, startTs: other.timestampMs, endTs: other.timestampMs, clientID: "bob_b9").key
        room.objects[key] = other.lineBytes + [0x0A]
        let result = room.verify()
        #expect(!result.accepts(original))
        #expect(result.rejected.filter { $0.eventID == original.eventID }.map(\.reason) == [.duplicateConflict, .duplicateConflict])
        #expect(result.alarms.contains { $0.kind == .duplicateConflict && $0.eventID == original.eventID })
        #expect(result.hasIntegrityProblem)
    }

    @Test func unsignedImpostorCannotSuppressTheRealEvent() throws {
        var room = try TestRoom.withMembers()
        let original = try room.say("bob_b1", "real")
        try room.flush("bob_b1")
        let fake = try Event.signed(roomID: room.roomID, eventID: original.eventID, timestampMs: original.timestampMs,
                                    senderID: "user:bob", type: EventType.message, content: MessageContent(body: "fake").json,
                                    prevEventHash: nil, key: TestRoom.key(99))
        let key = LogObjectName(roomID: room.roomID, startTs: fake.timestampMs, endTs: fake.timestampMs, clientID: "evil").key
        room.objects[key] = fake.lineBytes + [0x0A]
        let result = room.verify()
        #expect(result.accepts(original))
        #expect(result.rejected.map(\.reason) == [.badSignature])
        #expect(result.rejected.first?.objectKey == key)
    }
}

@Suite struct MetadataScenarioTests {
    @Test func tamperedMetadataIsAnAlarmAndNothingIsAuthorised() throws {
        var room = try TestRoom.withMembers()
        let key = RoomObjectKey.metadataKey(roomID: room.roomID)
        let text = String(decoding: try #require(room.objects[key]), as: UTF8.self)
        room.objects[key] = Array(text.replacingOccurrences(of: "\"name\":\"Test\"", with: "\"name\":\"Owned\"").utf8)
        let result = room.verify()
        #expect(result.alarms.map(\.kind) == [.badMetadata])
        #expect(result.alarms.first?.detail.contains("does not verify") == true)
        #expect(result.accepted.isEmpty)
        #expect(result.hasIntegrityProblem)
    }

    @Test func replacedCreatorKeyIsAlarmedAgainstThePin() throws {
        let room = try TestRoom.withMembers()
        let result = room.verify(pinned: TestRoom.key(50).publicKey)
        #expect(result.alarms.map(\.kind) == [.creatorKeyChanged])
        #expect(room.verify(pinned: TestRoom.key(1).publicKey).alarms.isEmpty)
    }

    @Test func missingMetadataIsAnAlarm() throws {
        var room = try TestRoom.withMembers()
        room.objects[RoomObjectKey.metadataKey(roomID: room.roomID)] = nil
        let result = room.verify()
        #expect(result.alarms.map(\.kind) == [.missingMetadata])
        #expect(result.accepted.isEmpty)
    }

    @Test func creatorJoinMustUseTheCreatorKey() throws {
        var room = try TestRoom()
        room.objects = room.objects.filter { !$0.key.contains("/logs/") }
        room.addDevice("alice_x", sender: "user:alice", key: TestRoom.key(30))
        let join = try room.join("alice_x")
        try room.flush("alice_x")
        #expect(room.verify().reason(of: join) == .unauthorized)
    }
}

@Suite struct LegacyRoomTests {
    /// A room as the reference client leaves it: no creator_key, no chains, one event per file.
    func legacyRoom() throws -> (objects: [StoredObject], bob: SigningKey, events: [Event]) {
        let roomID = "room_legacy"
        let metadata = JSONObject([("room_id", .string(roomID)), ("name", "Old"), ("created_at", "2024-01-01T00:00:00Z"),
                                   ("version", "1.0"), ("creator", "user:bob")])
        var objects = [StoredObject(key: "rooms/\(roomID)/metadata.json", bytes: CanonicalJSON.encode(.object(metadata)))]
        let bob = TestRoom.key(2)
        var events: [Event] = []
        for (i, body) in ["first", "second", "third"].enumerated() {
            let e = try Event.signed(roomID: roomID, timestampMs: 1_704_067_200_000 + Int64(i), senderID: "user:bob",
                                     type: EventType.message, content: MessageContent(body: body).json, prevEventHash: nil, key: bob)
            events.append(e)
            let name = LogObjectName(roomID: roomID, startTs: e.timestampMs, endTs: e.timestampMs, clientID: "ref")
            objects.append(StoredObject(key: name.key, bytes: e.lineBytes + [0x0A]))
        }
        return (objects, bob, events)
    }

    @Test func withoutKeysEveryEventIsUnknownKeyAndNothingCrashes() throws {
        let room = try legacyRoom()
        let result = RoomVerifier(nowMs: 1_800_000_000_000).verify(roomID: "room_legacy", objects: room.objects)
        #expect(result.metadata?.isLegacy == true)
        #expect(result.accepted.isEmpty)
        #expect(result.rejected.map(\.reason) == [.unknownKey, .unknownKey, .unknownKey])
        #expect(!result.hasIntegrityProblem)
    }

    @Test func withSuppliedKeysSignedEventsAreAcceptedAndUnchainedIsAWarning() throws {
        let room = try legacyRoom()
        let result = RoomVerifier(nowMs: 1_800_000_000_000, suppliedKeys: ["user:bob": [room.bob.publicKey]])
            .verify(roomID: "room_legacy", objects: room.objects)
        #expect(result.accepted.map(\.event.eventID) == room.events.map(\.eventID))
        #expect(result.alarms.isEmpty)
        #expect(result.warnings.map(\.kind) == ["unchained"])
        #expect(!result.hasIntegrityProblem)
        let wrong = RoomVerifier(nowMs: 1_800_000_000_000, suppliedKeys: ["user:bob": [TestRoom.key(3).publicKey]])
            .verify(roomID: "room_legacy", objects: room.objects)
        #expect(wrong.rejected.map(\.reason) == [.badSignature, .badSignature, .badSignature])
    }
}

@Suite struct KeyFileTests {
    func temporaryPath() -> String {
        NSTemporaryDirectory() + "bucketchat-key-\(UUID().uuidString).json"
    }

    @Test func savedKeyFileIsPrivateAndLoadsBack() throws {
        let path = temporaryPath()
        defer { unlink(path) }
        let key = try SigningKey.generate()
        try KeyFile(senderID: "user:alice", key: key, createdAt: "2025-01-01T00:00:00Z").save(path: path)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let loaded = try KeyFile.load(path: path)
        #expect(loaded.senderID == "user:alice")
        #expect(loaded.key.publicKey == key.publicKey)
        #expect(throws: ProtocolError.self) { try KeyFile(senderID: "x", key: key, createdAt: "").save(path: path) }
    }

    @Test func keyFileReadableByOthersIsRefusedWithTheFix() throws {
        let path = temporaryPath()
        defer { unlink(path) }
        try KeyFile(senderID: "user:alice", key: try SigningKey.generate(), createdAt: "").save(path: path)
        chmod(path, 0o644)
        do {
            _ = try KeyFile.load(path: path)
            Issue.record("a world-readable key file was accepted")
        } catch {
            #expect(error.code == .keyFilePermissions)
            #expect(error.message.contains("chmod 600 \(path)"))
        }
    }

    @Test func damagedKeyFileIsRefused() throws {
        let key = try SigningKey.generate()
        let other = try SigningKey.generate()
        let text = "{\"sender_id\":\"user:a\",\"public_key\":\"\(other.publicKey.base64)\",\"private_key\":\"\(Base64.encode(key.seed))\"}"
        #expect(throws: ProtocolError.self) { try KeyFile(bytes: Array(text.utf8), path: "k.json") }
    }
}

@Suite struct LogObjectNameTests {
    @Test func parsesTheSpecPattern() throws {
        let name = try #require(LogObjectName(key: "rooms/room_a/logs/2025-09-14/messages_1757851200000_1757851200030_alice_a1.jsonl"))
        #expect(name.roomID == "room_a" && name.clientID == "alice_a1")
        #expect(name.startTs == 1_757_851_200_000 && name.endTs == 1_757_851_200_030)
        #expect(name.dateMatchesStart)
        #expect(LogObjectName(roomID: "room_a", startTs: name.startTs, endTs: name.endTs, clientID: "alice_a1").key == name.key)
    }

    @Test(arguments: [
        "rooms/room_a/logs/2025-09-14/messages_2_1_c.jsonl",
        "rooms/room_a/logs/2025-09-14/messages_01_2_c.jsonl",
        "rooms/room_a/logs/2025-09-14/messages_1_2_.jsonl",
        "rooms/room_a/logs/2025-09-14/messages_1_2_c d.jsonl",
        "rooms/room_a/logs/2025-9-14/messages_1_2_c.jsonl",
        "rooms/room a/logs/2025-09-14/messages_1_2_c.jsonl",
        "rooms/room_a/logs/2025-09-14/messages_1_2_c.json",
        "rooms/room_a/logs/2025-09-14/x/messages_1_2_c.jsonl",
        "rooms/room_a/logs/2025-09-14/messages_-1_2_c.jsonl",
    ])
    func rejectsKeysOffThePattern(_ key: String) {
        #expect(LogObjectName(key: key) == nil)
    }

    /// The parser reads bytes; the pattern is defined on text. Keys made by
    /// changing valid ones here and there (Unicode included: combining marks
    /// beside separators, look-alike digits) must be read as a plain
    /// split-based reading of the pattern reads them.
    @Test(arguments: 0..<4) func readsKeysAsTheTextPatternDoes(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let base = Array("rooms/room_a/logs/2025-09-14/messages_1757851200000_1757851200030_alice_a1.jsonl".unicodeScalars)
        let pool: [Unicode.Scalar] = ["/", "_", ".", "-", "0", "9", "a", "Z", " ", "\u{301}", "\u{0660}", "é", "\u{0}", "\n", "\r"]
        for _ in 0..<3000 {
            var scalars = base
            for _ in 0..<(1 + Int(random.next() % 3)) {
                let at = Int(random.next() % UInt64(scalars.count))
                switch random.next() % 3 {
                case 0: scalars[at] = pool[Int(random.next() % UInt64(pool.count))]
                case 1: scalars.insert(pool[Int(random.next() % UInt64(pool.count))], at: at)
                default: scalars.remove(at: at)
                }
            }
            var key = ""
            key.unicodeScalars.append(contentsOf: scalars)
            let name = LogObjectName(key: key)
            let reference = LogObjectNameTests.reference(key)
            #expect(name?.roomID == reference?.roomID && name?.dateFolder == reference?.dateFolder && name?.startTs == reference?.startTs
                    && name?.endTs == reference?.endTs && name?.clientID == reference?.clientID, "\(key.debugDescription)")
        }
    }

    /// The pattern read with String and Substring operations, as the parser was first written.
    static func reference(_ key: String) -> (roomID: String, dateFolder: String, startTs: Int64, endTs: Int64, clientID: String)? {
        func decimal(_ s: Substring) -> Int64? {
            let b = s.utf8
            guard let first = b.first, b.count <= 16, !(first == 0x30 && b.count > 1), b.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
            let value = b.reduce(Int64(0)) { $0 * 10 + Int64($1 - 0x30) }
            return value <= JSONParser.maxSafeInteger ? value : nil
        }
        func isDate(_ s: Substring) -> Bool {
            let b = Array(s.utf8)
            return b.count == 10 && b[4] == 0x2D && b[7] == 0x2D && [0, 1, 2, 3, 5, 6, 8, 9].allSatisfy { b[$0] >= 0x30 && b[$0] <= 0x39 }
        }
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0] == "rooms", parts[2] == "logs", RoomID.isValid(parts[1]), isDate(parts[3]) else { return nil }
        let file = parts[4]
        guard file.hasPrefix("messages_"), file.hasSuffix(".jsonl") else { return nil }
        let fields = file.dropFirst("messages_".count).dropLast(".jsonl".count).split(separator: "_", maxSplits: 2, omittingEmptySubsequences: false)
        guard fields.count == 3, let start = decimal(fields[0]), let end = decimal(fields[1]), start <= end, RoomID.isValid(fields[2]) else { return nil }
        return (String(parts[1]), String(parts[3]), start, end, String(fields[2]))
    }
}
