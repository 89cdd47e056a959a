import ChatProtocol
import Foundation
import ObjectStore

extension RoomSession {
    /// Sends a message (`m.text` unless told otherwise).
    @discardableResult
    public func send(_ body: String, msgtype: String = "m.text", replyTo parent: String? = nil) async throws(EngineError) -> Event {
        guard !body.isEmpty else { throw EngineError(.invalidEvent, "Room \(roomID): a message needs a non-empty body.") }
        let parentID: String?
        if let parent { parentID = try await resolve(parent) } else { parentID = nil }
        return try await perform(type: EventType.message, content: MessageContent(body: body, msgtype: msgtype).json, parentEventID: parentID)
    }

    @discardableResult
    public func react(to reference: String, with reaction: String) async throws(EngineError) -> Event {
        let target = try await resolve(reference)
        return try await perform(type: EventType.reaction, content: JSONObject([("relates_to", .string(target)), ("reaction", .string(reaction))]))
    }

    @discardableResult
    public func edit(_ reference: String, body: String) async throws(EngineError) -> Event {
        let target = try await resolve(reference)
        let content = JSONObject([("replaces", .string(target)), ("new_content", .object(MessageContent(body: body).json))])
        return try await perform(type: EventType.edit, content: content)
    }

    @discardableResult
    public func redact(_ reference: String, reason: String? = nil) async throws(EngineError) -> Event {
        let target = try await resolve(reference)
        var content = JSONObject([("redacts", .string(target))])
        if let reason { content["reason"] = .string(reason) }
        return try await perform(type: EventType.redaction, content: content)
    }

    @discardableResult
    public func invite(_ userID: String, key: PublicKey? = nil, displayName: String? = nil) async throws(EngineError) -> Event {
        var content = JSONObject([("membership", "invite"), ("user_id", .string(userID))])
        if let key { content["public_key"] = .string(key.base64) }
        if let displayName { content["displayname"] = .string(displayName) }
        return try await perform(type: EventType.member, content: content)
    }

    /// Joins with this device's key.
    @discardableResult
    public func join(displayName: String? = nil) async throws(EngineError) -> Event {
        var content = JSONObject([("membership", "join"), ("public_key", .string(identity.key.publicKey.base64)),
                                  ("device_id", .string(identity.clientID))])
        if let displayName { content["displayname"] = .string(displayName) }
        return try await perform(type: EventType.member, content: content)
    }

    @discardableResult
    public func leave() async throws(EngineError) -> Event {
        try await perform(type: EventType.member, content: JSONObject([("membership", "leave")]))
    }

    /// Kicks (`ban: false`) or bans a member; admins only.
    @discardableResult
    public func remove(_ userID: String, ban: Bool, reason: String? = nil) async throws(EngineError) -> Event {
        var content = JSONObject([("membership", .string(ban ? "ban" : "kick")), ("user_id", .string(userID))])
        if let reason { content["reason"] = .string(reason) }
        return try await perform(type: EventType.member, content: content)
    }

    @discardableResult
    public func setName(_ name: String) async throws(EngineError) -> Event {
        try await perform(type: EventType.name, content: JSONObject([("name", .string(name))]))
    }

    @discardableResult
    public func setTopic(_ topic: String) async throws(EngineError) -> Event {
        try await perform(type: EventType.topic, content: JSONObject([("topic", .string(topic))]))
    }

    /// Trusts another device key for this sender, optionally revoking keys (rotation).
    @discardableResult
    public func addKey(_ key: PublicKey, deviceID: String? = nil, revoking revoked: [PublicKey] = []) async throws(EngineError) -> Event {
        var content = JSONObject([("membership", "join"), ("public_key", .string(key.base64))])
        if let deviceID { content["device_id"] = .string(deviceID) }
        if !revoked.isEmpty { content["revoke"] = .array(revoked.map { .string($0.base64) }) }
        return try await perform(type: EventType.member, content: content)
    }

    /// Marks this sender as typing (or not).
    @discardableResult
    public func typing(_ typing: Bool) async throws(EngineError) -> Event {
        try await perform(type: EventType.typing, content: JSONObject([("typing", .bool(typing))]))
    }
}

extension RoomSession {
    /// Creates a room: writes its signed metadata.json once, then opens it
    /// and journals the creator's join.
    public static func create(name: String, description: String = "", joinRule: RoomMetadata.JoinRule = .invite,
                              displayName: String? = nil, identity: DeviceIdentity, store: any ObjectStore,
                              stateFolder: String, cache: ObjectCache? = nil,
                              syncSettings: SyncSettings = SyncSettings(), policy: UploadPolicy = .standard,
                              now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }) async throws(EngineError) -> RoomSession {
        var lastConflict = ""
        for _ in 0..<3 {
            let roomID = RoomID.generate()
            let metadata: RoomMetadata
            let key: ObjectKey
            do {
                let created = ISO8601DateFormatter().string(from: Date())
                metadata = try RoomMetadata.signed(roomID: roomID, name: name, description: description, createdAt: created,
                                                   creator: identity.senderID, key: identity.key, joinRule: joinRule)
                key = try ObjectKey(RoomObjectKey.metadataKey(roomID: roomID))
            } catch {
                throw EngineError(.invalidEvent, "Cannot create room \"\(name)\": \(error)")
            }
            let outcome: PutOutcome
            do {
                outcome = try await store.putIfAbsent(key, Data(metadata.bytes))
            } catch {
                throw EngineError(.storeUnavailable, "Cannot create room \"\(name)\" in \(store.locationDescription): \(error.message)", cause: error)
            }
            guard outcome != .alreadyExists(sameBytes: false) else {
                lastConflict = roomID
                continue
            }
            let session = try RoomSession(roomID: roomID, identity: identity, store: store, stateFolder: stateFolder,
                                          cache: cache, syncSettings: syncSettings, policy: policy, now: now)
            var content = JSONObject([("membership", "join"), ("public_key", .string(identity.key.publicKey.base64)),
                                      ("device_id", .string(identity.clientID))])
            if let displayName { content["displayname"] = .string(displayName) }
            // The creator's first join needs no check: the metadata just written makes it one.
            let join = try await session.outbox.send(type: EventType.member, content: content)
            await session.noteSent([join])
            return session
        }
        throw EngineError(.conflict, "Could not create a room: the generated id \(lastConflict) was taken three times in \(store.locationDescription).")
    }
}
