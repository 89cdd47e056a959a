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
        try UnsignedEvent(roomID: roomID, eventID: eventID, timestampMs: timestampMs, senderID: senderID, type: type,
                          content: content, parentEventID: parentEventID, prevEventHash: prevEventHash).signed(with: key)
    }

    /// `event_hash(e)`: standard base64 of SHA-256 of the canonical bytes.
    public var hash: String { Base64.encode(SHA256.digest(canonicalBytes)) }
}
