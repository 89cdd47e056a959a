import Foundation
import Testing
@testable import ChatProtocol

/// Rooms as the public Python reference client writes them (Fixtures/reference-room,
/// made by its make_room.py): metadata without creator or creator_key, no hash
/// chains, e-mail senders, folders and event ids in the writer's local time (UTC+10).
@Suite struct ReferenceRoomTests {
    static let roomID = "reference_room"
    /// After every event of the fixture, so `future_timestamp` plays no part.
    static let nowMs: Int64 = 1_800_000_000_000
    static let alice = "alice@example.com", bob = "bob@example.com"

    static var folder: URL { Fixtures.directory.appendingPathComponent("reference-room") }

    static func objects() throws -> [StoredObject] {
        try Fixtures.objects(under: folder)
    }

    /// keys.json, in the `--trusted-keys` format.
    static func suppliedKeys() throws -> [String: [PublicKey]] {
        guard case .object(let object) = try Fixtures.json("reference-room/keys.json") else { throw FixtureError("keys.json is not an object") }
        var out: [String: [PublicKey]] = [:]
        for member in object.members {
            guard let text = member.value.stringValue, let key = PublicKey(base64: text) else { throw FixtureError("bad key for \(member.key)") }
            out[member.key] = [key]
        }
        return out
    }

    /// A sender's key as make_room.py derives it, to sign further events in its rooms.
    static func signingKey(_ sender: String) throws -> SigningKey {
        try SigningKey(seed: SHA256.digest(Array("bucketchat reference-room fixture \(sender)".utf8)))
    }

    /// An unchained event stored alone in a log object under `folder` (the UTC date when nil).
    static func stored(_ sender: String, key: SigningKey, at timestampMs: Int64, type: String, content: JSONObject,
                       prev: String? = nil, folder: String? = nil) throws -> (event: Event, object: StoredObject) {
        let event = try Event.signed(roomID: roomID, timestampMs: timestampMs, senderID: sender, type: type, content: content,
                                     prevEventHash: prev, key: key)
        let name = LogObjectName(roomID: roomID, startTs: timestampMs, endTs: timestampMs,
                                 clientID: String(sender.prefix { $0 != "@" }))
        var objectKey = name.key
        if let folder { objectKey = objectKey.replacingOccurrences(of: "/logs/\(name.dateFolder)/", with: "/logs/\(folder)/") }
        return (event, StoredObject(key: objectKey, bytes: event.lineBytes + [0x0A]))
    }

    static func verify(_ objects: [StoredObject], keys: [String: [PublicKey]] = [:]) -> RoomVerification {
        RoomVerifier(nowMs: nowMs, suppliedKeys: keys).verify(roomID: roomID, objects: objects)
    }

    /// The fixture with metadata.json replaced.
    static func withMetadata(_ json: String) throws -> [StoredObject] {
        try objects().map { $0.key.hasSuffix("/metadata.json") ? StoredObject(key: $0.key, bytes: Array(json.utf8)) : $0 }
    }

    @Test func withoutKeysEveryEventIsUnknownKeyAndNothingAlarms() throws {
        let result = Self.verify(try Self.objects())
        #expect(result.metadata?.isLegacy == true)
        #expect(result.metadata?.creator == nil)
        #expect(result.state.admins.isEmpty)
        #expect(result.accepted.isEmpty)
        #expect(result.rejected.count == 9)
        #expect(result.rejected.allSatisfy { $0.reason == .unknownKey })
        #expect(result.alarms.isEmpty, "\(result.alarms)")
        #expect(!result.hasIntegrityProblem)
    }

    @Test func withKeysEveryEventIsAcceptedAndOnlyWarningsRemain() throws {
        let result = Self.verify(try Self.objects(), keys: try Self.suppliedKeys())
        #expect(result.accepted.count == 9)
        #expect(result.rejected.isEmpty, "\(result.rejected)")
        #expect(result.alarms.isEmpty, "\(result.alarms)")
        #expect(!result.hasIntegrityProblem)
        // One unchained warning per key (never a fork), one local-time warning per object
        // written after the writer's local midnight.
        let unchained = result.warnings.filter { $0.kind == "unchained" }
        #expect(unchained.count == 2)
        #expect(unchained.contains { $0.detail.contains(Self.alice) } && unchained.contains { $0.detail.contains(Self.bob) })
        #expect(result.warnings.filter { $0.kind == "local_time_folder" }.count == 6)
        #expect(Set(result.warnings.map(\.kind)) == ["unchained", "local_time_folder"])
        // What the events say took effect.
        let state = result.state
        #expect(state.members[Self.alice]?.membership == .join)
        #expect(state.members[Self.bob]?.membership == .leave)
        #expect(state.members[Self.alice]?.displayName == Self.alice)
        #expect(state.redacted.count == 1)
        #expect(state.reactionEvents.map(\.reaction) == ["👍"])
        #expect(state.editHistory.count == 1)
    }

    @Test func oneObjectAtATimeEndsWhereOneRunDoes() throws {
        // The metadata last: the objects before it were read as those of a non-legacy
        // room (their local-time folders file_mismatch) and must be read again.
        let objects = try Self.objects().sorted { a, _ in !a.key.hasSuffix("/metadata.json") }
        let keys = try Self.suppliedKeys()
        var ledger = RoomLedger(roomID: Self.roomID, verifier: RoomVerifier(nowMs: Self.nowMs, suppliedKeys: keys))
        for object in objects { ledger.ingest([object]) }
        let once = Self.verify(objects, keys: keys)
        #expect(ledger.verification.accepted.map(\.event.eventID) == once.accepted.map(\.event.eventID))
        #expect(ledger.verification.rejected == once.rejected)
        #expect(ledger.verification.warnings == once.warnings)
        #expect(ledger.verification.accepted.count == 9)
    }

    @Test func aLegacyKeyThatChainsIsAuditedAsUsual() throws {
        // carol writes with a client that does chain; her second event was deleted.
        let carol = try Self.signingKey("carol@example.com")
        var chain = DeviceChain(roomID: Self.roomID, senderID: "carol@example.com", key: carol)
        var events: [Event] = []
        for (i, body) in ["one", "two", "three"].enumerated() {
            events.append(try chain.sign(type: EventType.message, content: MessageContent(body: body).json,
                                         nowMs: 1_764_520_000_000 + Int64(i) * 1000))
        }
        var objects = try Self.objects()
        for event in [events[0], events[2]] {
            let name = LogObjectName(roomID: Self.roomID, startTs: event.timestampMs, endTs: event.timestampMs, clientID: "carol")
            objects.append(StoredObject(key: name.key, bytes: event.lineBytes + [0x0A]))
        }
        var keys = try Self.suppliedKeys()
        keys["carol@example.com"] = [carol.publicKey]
        let result = Self.verify(objects, keys: keys)
        #expect(result.alarms.map(\.kind) == [.gap])
        #expect(result.alarms.first?.eventID == events[2].eventID)
        #expect(result.hasIntegrityProblem)
        // The reference client's keys are still only unchained.
        #expect(result.warnings.filter { $0.kind == "unchained" }.count == 2)
        #expect(!result.alarms.contains { $0.kind == .fork })
    }

    @Test func aFolderTwentyOneHoursOffIsStillFileMismatch() throws {
        let alice = try Self.signingKey(Self.alice)
        // 2025-11-30 03:00 UTC: the 2025-12-01 folder would need a clock 21 h ahead of UTC;
        // 2025-11-29 is its date 4 h behind UTC, as far as the zones go a local date.
        let far = try Self.stored(Self.alice, key: alice, at: 1_764_471_600_000, type: EventType.message,
                                  content: MessageContent(body: "far").json, folder: "2025-12-01")
        let near = try Self.stored(Self.alice, key: alice, at: 1_764_471_601_000, type: EventType.message,
                                   content: MessageContent(body: "near").json, folder: "2025-11-29")
        let result = Self.verify(try Self.objects() + [far.object, near.object], keys: try Self.suppliedKeys())
        #expect(result.reason(of: far.event) == .fileMismatch)
        #expect(result.accepts(near.event))
        #expect(result.warnings.contains { $0.kind == "local_time_folder" && $0.objectKey == near.object.key })
        #expect(result.hasIntegrityProblem)
        // In a room with a creator key, a local-time folder is file_mismatch as ever.
        var room = try TestRoom()
        let event = try room.say("alice_a1", "late")
        let file = try LogFile.encode([event], roomID: room.roomID, clientID: "alice_a1")
        let shifted = file.name.key.replacingOccurrences(of: "/\(file.name.dateFolder)/",
                                                         with: "/\(UTCTime(milliseconds: event.timestampMs + 16 * 3_600_000).dateFolder)/")
        room.pending["alice_a1"] = []
        room.objects[shifted] = file.bytes
        #expect(shifted != file.name.key)
        #expect(room.verify().reason(of: event) == .fileMismatch)
    }

    @Test func creatorKeyWithoutCreatorIsStillRejected() throws {
        let key = TestRoom.key(9).publicKey.base64
        let bytes = Array("{\"room_id\":\"reference_room\",\"version\":\"1.0\",\"protocol\":\"bucket-chat-v1\",\"creator_key\":\"\(key)\"}".utf8)
        do {
            _ = try RoomMetadata(bytes: bytes)
            Issue.record("metadata with creator_key but no creator was accepted")
        } catch {
            #expect(error.code == .schema)
            #expect(error.message.contains("missing creator"))
        }
        // Without creator_key, creator may be missing: the reference client's metadata.
        let legacy = try RoomMetadata(bytes: Array("{\"room_id\":\"reference_room\",\"version\":\"1.0\"}".utf8))
        #expect(legacy.isLegacy && legacy.creator == nil && legacy.admins.isEmpty)
        let result = Self.verify(try Self.withMetadata(String(decoding: bytes, as: UTF8.self)))
        #expect(result.alarms.map(\.kind) == [.badMetadata])
        #expect(result.alarms.first?.detail.contains("missing creator") == true)
        #expect(result.accepted.isEmpty)
    }

    /// Admin actions by bob, and a message of alice's after them.
    static func adminActions() throws -> (objects: [StoredObject], kick: Event, rename: Event, redact: Event, ban: Event, after: Event) {
        let bob = try signingKey(Self.bob), alice = try signingKey(Self.alice)
        let reaction = try objects().compactMap { object -> Event? in
            guard object.key.contains("/logs/"), let value = try? JSONParser(maxBytes: 1 << 16).parse(object.bytes) else { return nil }
            return try? Event(json: value)
        }.first { $0.type == EventType.reaction }
        let reactionID = try #require(reaction?.eventID)
        let t: Int64 = 1_764_520_000_000
        let rename = try stored(Self.bob, key: bob, at: t, type: EventType.name, content: JSONObject([("name", "Bob's room")]))
        let redact = try stored(Self.bob, key: bob, at: t + 1000, type: EventType.redaction, content: JSONObject([("redacts", .string(reactionID))]))
        let kick = try stored(Self.bob, key: bob, at: t + 2000, type: EventType.member,
                              content: JSONObject([("membership", "kick"), ("user_id", .string(Self.alice))]))
        let ban = try stored(Self.bob, key: bob, at: t + 3000, type: EventType.member,
                             content: JSONObject([("membership", "ban"), ("user_id", .string(Self.alice))]))
        let after = try stored(Self.alice, key: alice, at: t + 4000, type: EventType.message, content: MessageContent(body: "still here?").json)
        return (try Self.objects() + [rename.object, redact.object, kick.object, ban.object, after.object],
                kick.event, rename.event, redact.event, ban.event, after.event)
    }

    @Test func withoutCreatorOrAdminsNobodyIsAdmin() throws {
        let room = try Self.adminActions()
        let result = Self.verify(room.objects, keys: try Self.suppliedKeys())
        for event in [room.kick, room.rename, room.redact, room.ban] {
            #expect(result.reason(of: event) == .unauthorized, "\(event.type) \(event.content)")
        }
        #expect(result.rejected.first { $0.eventID == room.kick.eventID }?.detail.contains("names no creator or admins") == true)
        #expect(result.accepts(room.after))
        #expect(result.state.name != "Bob's room")
        #expect(result.state.members[Self.alice]?.membership == .join)
        #expect(!result.hasIntegrityProblem)
    }

    @Test func aCreatorNamedInLegacyMetadataIsAdmin() throws {
        let room = try Self.adminActions()
        let metadata = "{\"room_id\":\"reference_room\",\"created_at\":\"2025-11-30T23:38:58.482113\",\"version\":\"1.0\",\"protocol\":\"bucket-chat-v1\",\"creator\":\"bob@example.com\"}"
        let objects = room.objects.map { $0.key.hasSuffix("/metadata.json") ? StoredObject(key: $0.key, bytes: Array(metadata.utf8)) : $0 }
        let result = Self.verify(objects, keys: try Self.suppliedKeys())
        #expect(result.metadata?.isLegacy == true)
        #expect(result.state.admins == [Self.bob])
        for event in [room.kick, room.rename, room.redact, room.ban] { #expect(result.accepts(event), "\(event.type) \(event.content)") }
        #expect(result.state.name == "Bob's room")
        #expect(result.state.members[Self.alice]?.membership == .ban)
        // A ban holds in a legacy room too: the banned sender's later events are refused.
        #expect(result.reason(of: room.after) == .unauthorized)
    }
}
