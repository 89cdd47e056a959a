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
        var object = JSONObject([
            ("event_id", .string(eventID ?? EventID.make(roomID: roomID, timestampMs: timestampMs))),
            ("room_id", .string(roomID)),
            ("timestamp_ms", .int(timestampMs)),
            ("sender_id", .string(senderID)),
            ("type", .string(type)),
            ("parent_event_id", parentEventID.map { .string($0) } ?? .null),
            ("prev_event_hash", prevEventHash.map { .string($0) } ?? .null),
            ("content", .object(content)),
        ])
        let signature = key.sign(CanonicalJSON.encodeUnsigned(object))
        object["signature"] = .string(Base64.encode(signature))
        return try Event(json: .object(object))
    }

    /// `event_hash(e)`: standard base64 of SHA-256 of the canonical bytes.
    public var hash: String { Base64.encode(SHA256.digest(canonicalBytes)) }
}
