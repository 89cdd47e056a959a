extension Event {
    /// Builds and signs an event, the way a writer emits it: all nine fields,
    /// `null` where unused, the signature over the canonical bytes.
    public static func signed(
        roomID: String,
        eventID: String? = nil,
        timestampMs: Int64,
        senderID: String,
        type: String,
        content: JSONObject,
        parentEventID: String? = nil,
        prevEventHash: String?,
        key: SigningKey
    ) throws(ProtocolError) -> Event {
        try signedWithHash(roomID: roomID, eventID: eventID, timestampMs: timestampMs, senderID: senderID, type: type,
                           content: content, parentEventID: parentEventID, prevEventHash: prevEventHash, key: key).event
    }

    /// Builds and signs an event and returns its `event_hash` too, computed from
    /// the same canonical bytes that were signed (a writer needs it for the next link).
    static func signedWithHash(
        roomID: String, eventID: String?, timestampMs: Int64, senderID: String, type: String,
        content: JSONObject, parentEventID: String?, prevEventHash: String?, key: SigningKey
    ) throws(ProtocolError) -> (event: Event, hash: String) {
        // Members listed in code point order of their keys, so no insertion sorts them.
        var members: [JSONObject.Member] = [
            .init(key: "content", value: .object(content)),
            .init(key: "event_id", value: .string(eventID ?? EventID.make(roomID: roomID, timestampMs: timestampMs))),
            .init(key: "parent_event_id", value: parentEventID.map { .string($0) } ?? .null),
            .init(key: "prev_event_hash", value: prevEventHash.map { .string($0) } ?? .null),
            .init(key: "room_id", value: .string(roomID)),
            .init(key: "sender_id", value: .string(senderID)),
            .init(key: "timestamp_ms", value: .int(timestampMs)),
            .init(key: "type", value: .string(type)),
        ]
        let canonical = CanonicalJSON.encode(.object(JSONObject(sortedMembers: members)))
        members.insert(.init(key: "signature", value: .string(Base64.encode(key.sign(canonical)))), at: 6)
        let event = try Event(json: .object(JSONObject(sortedMembers: members)))
        return (event, Base64.encode(SHA256.digest(canonical)))
    }

    /// `event_hash(e)`: standard base64 of SHA-256 of the canonical bytes.
    public var hash: String { Base64.encode(SHA256.digest(canonicalBytes)) }
}
