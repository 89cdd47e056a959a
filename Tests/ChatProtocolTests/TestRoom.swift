@testable import ChatProtocol

/// Builds rooms the way writers do, for scenario tests: signed metadata, device
/// chains, log objects; and lets a test delete, tamper with or add objects.
struct TestRoom {
    let roomID: String
    var metadata: RoomMetadata
    var objects: [String: [UInt8]] = [:]
    var devices: [String: DeviceChain] = [:]
    var pending: [String: [Event]] = [:]
    var now: Int64 = 1_760_000_000_000

    static func key(_ n: UInt8) -> SigningKey {
        // Seeds are fixed so failures reproduce; the values are arbitrary.
        (try? SigningKey(seed: [UInt8](repeating: n, count: 32)))!
    }

    /// A room created by `user:alice` on device `alice_a1`, whose join is already written.
    init(roomID: String = "room_test", joinRule: RoomMetadata.JoinRule = .invite, admins: [String] = []) throws {
        self.roomID = roomID
        let alice = TestRoom.key(1)
        metadata = try RoomMetadata.signed(roomID: roomID, name: "Test", createdAt: "2025-10-09T08:53:20Z",
                                           creator: "user:alice", key: alice, joinRule: joinRule, admins: admins)
        objects[RoomObjectKey.metadataKey(roomID: roomID)] = metadata.bytes
        addDevice("alice_a1", sender: "user:alice", key: alice)
        try join("alice_a1", displayName: "Alice")
        try flush("alice_a1")
    }

    mutating func addDevice(_ client: String, sender: String, key: SigningKey) {
        devices[client] = DeviceChain(roomID: roomID, senderID: sender, key: key)
    }

    /// Signs an event on a device; it is stored at the next ``flush(_:)``.
    @discardableResult
    mutating func emit(_ client: String, _ type: String, _ content: JSONObject, parent: String? = nil) throws -> Event {
        now += 10
        guard var chain = devices[client] else { throw FixtureError("no device \(client)") }
        let event = try chain.sign(type: type, content: content, parentEventID: parent, nowMs: now)
        devices[client] = chain
        pending[client, default: []].append(event)
        return event
    }

    @discardableResult
    mutating func say(_ client: String, _ body: String, parent: String? = nil) throws -> Event {
        try emit(client, EventType.message, MessageContent(body: body).json, parent: parent)
    }

    @discardableResult
    mutating func join(_ client: String, displayName: String? = nil, key: PublicKey? = nil, revoke: [PublicKey] = []) throws -> Event {
        guard let chain = devices[client] else { throw FixtureError("no device \(client)") }
        var content = JSONObject([("membership", "join"), ("public_key", .string((key ?? chain.key.publicKey).base64)),
                                  ("device_id", .string(client))])
        if let displayName { content["displayname"] = .string(displayName) }
        if !revoke.isEmpty { content["revoke"] = .array(revoke.map { .string($0.base64) }) }
        return try emit(client, EventType.member, content)
    }

    @discardableResult
    mutating func member(_ client: String, _ membership: String, target: String, key: PublicKey? = nil) throws -> Event {
        var content = JSONObject([("membership", .string(membership)), ("user_id", .string(target))])
        if let key { content["public_key"] = .string(key.base64) }
        return try emit(client, EventType.member, content)
    }

    /// Writes a device's pending events as one log object; returns its key.
    @discardableResult
    mutating func flush(_ client: String) throws -> String {
        let events = pending[client] ?? []
        pending[client] = []
        let file = try LogFile.encode(events, roomID: roomID, clientID: client)
        objects[file.name.key] = file.bytes
        return file.name.key
    }

    mutating func flushAll() throws {
        for client in pending.keys.sorted() where !(pending[client] ?? []).isEmpty { try flush(client) }
    }

    /// A room with alice (admin), bob and carol joined, each with one device.
    static func withMembers() throws -> TestRoom {
        var room = try TestRoom()
        room.addDevice("bob_b1", sender: "user:bob", key: key(2))
        room.addDevice("carol_c1", sender: "user:carol", key: key(3))
        try room.member("alice_a1", "invite", target: "user:bob")
        try room.member("alice_a1", "invite", target: "user:carol")
        try room.flush("alice_a1")
        try room.join("bob_b1", displayName: "Bob")
        try room.flush("bob_b1")
        try room.join("carol_c1")
        try room.flush("carol_c1")
        return room
    }

    /// Signs an event object as given, without the schema checks a writer makes,
    /// and stores it alone in an object of the device; returns its event id.
    @discardableResult
    mutating func storeUnchecked(_ client: String, type: String, content: JSONObject) throws -> String {
        guard let chain = devices[client] else { throw FixtureError("no device \(client)") }
        now += 10
        let id = EventID.make(roomID: roomID, timestampMs: now)
        var object = JSONObject([
            ("event_id", .string(id)), ("room_id", .string(roomID)), ("timestamp_ms", .int(now)),
            ("sender_id", .string(chain.senderID)), ("type", .string(type)), ("parent_event_id", nil),
            ("prev_event_hash", nil), ("content", .object(content)),
        ])
        object["signature"] = .string(Base64.encode(chain.key.sign(CanonicalJSON.encodeUnsigned(object))))
        let name = LogObjectName(roomID: roomID, startTs: now, endTs: now, clientID: client + "_raw")
        objects[name.key] = CanonicalJSON.encode(.object(object)) + [0x0A]
        return id
    }

    var storedObjects: [StoredObject] { objects.map { StoredObject(key: $0.key, bytes: $0.value) } }

    func verify(suppliedKeys: [String: [PublicKey]] = [:], pinned: PublicKey? = nil) -> RoomVerification {
        RoomVerifier(nowMs: now + 1000, suppliedKeys: suppliedKeys, pinnedCreatorKey: pinned)
            .verify(roomID: roomID, objects: storedObjects)
    }
}

extension RoomVerification {
    func reason(of event: Event) -> RejectionReason? {
        rejected.first { $0.eventID == event.eventID }?.reason
    }

    func accepts(_ event: Event) -> Bool {
        accepted.contains { $0.event.eventID == event.eventID }
    }
}

extension TestRoom {
    /// A room of 60 random steps by five devices of four members: invites,
    /// joins, leaves, kicks, reactions, edits, redactions, replies and
    /// messages, flushed at random moments.
    static func random(_ random: inout SplitMix64) throws -> TestRoom {
        var room = try TestRoom.withMembers()
        room.addDevice("bob_b2", sender: "user:bob", key: TestRoom.key(4))
        room.addDevice("dave_d1", sender: "user:dave", key: TestRoom.key(5))
        let clients = ["alice_a1", "bob_b1", "carol_c1", "bob_b2", "dave_d1"]
        var sent: [String] = []
        for step in 0..<60 {
            let client = clients[Int(random.next() % UInt64(clients.count))]
            let target = sent.isEmpty ? nil : sent[Int(random.next() % UInt64(sent.count))]
            switch random.next() % 12 {
            case 0: try room.member("alice_a1", "invite", target: ["user:bob", "user:carol", "user:dave"][Int(random.next() % 3)])
            case 1: try room.join(client)
            case 2: try room.emit(client, EventType.member, JSONObject([("membership", "leave")]))
            case 3: try room.member("alice_a1", "kick", target: ["user:bob", "user:carol", "user:dave"][Int(random.next() % 3)])
            case 4: if let target { try room.emit(client, EventType.reaction, JSONObject([("relates_to", .string(target)), ("reaction", "+1")])) }
            case 5: if let target { try room.emit(client, EventType.edit, JSONObject([("replaces", .string(target)), ("new_content", .object(MessageContent(body: "edited").json))])) }
            case 6: if let target { try room.emit(client, EventType.redaction, JSONObject([("redacts", .string(target))])) }
            case 7: sent.append(try room.say(client, "reply \(step)", parent: target).eventID)
            default: sent.append(try room.say(client, "message \(step)").eventID)
            }
            if random.next() % 3 == 0 { try room.flushAll() }
        }
        try room.flushAll()
        return room
    }
}
