/// An event whose place in its device chain is fixed — timestamp, id,
/// `prev_event_hash`, and so its own hash — but which is not signed yet.
///
/// The next link needs only this event's hash, which does not cover the
/// signature, so a writer can fix links one after another and make the
/// signatures (the expensive part) on any core, in any order.
public struct UnsignedEvent: Sendable {
    /// The members without `signature`, in code point order of their keys.
    let members: [JSONObject.Member]
    let content: EventContent
    public let eventID: String
    public let roomID: String
    public let timestampMs: Int64
    public let senderID: String
    public let type: String
    public let parentEventID: String?
    public let prevEventHash: String?
    /// `canonical(event)`: the bytes to sign.
    public let canonical: [UInt8]
    /// Where `,"signature":"…"` goes into ``canonical`` to make the signed line:
    /// right after `sender_id`, the member before it in code point order.
    let signatureOffset: Int
    /// `event_hash(e)`.
    public let hash: String

    /// How many bytes the signature adds to the canonical line: `,"signature":"` + 88 base64 characters + `"`.
    public static let signatureBytes = 14 + 88 + 1

    /// Builds the event's fields, checking the content as a writer must (§7).
    init(roomID: String, eventID: String?, timestampMs: Int64, senderID: String, type: String,
         content: JSONObject, parentEventID: String?, prevEventHash: String?) throws(ProtocolError) {
        try SenderID.validate(senderID)
        guard !type.isEmpty else { throw ProtocolError(.schema, "type must not be empty") }
        self.content = try EventContent(type: type, content: content)
        let id = eventID ?? EventID.make(roomID: roomID, timestampMs: timestampMs)
        // Listed in code point order of the keys, so nothing needs sorting.
        members = [
            .init(key: "content", value: .object(content)),
            .init(key: "event_id", value: .string(id)),
            .init(key: "parent_event_id", value: parentEventID.map { .string($0) } ?? .null),
            .init(key: "prev_event_hash", value: prevEventHash.map { .string($0) } ?? .null),
            .init(key: "room_id", value: .string(roomID)),
            .init(key: "sender_id", value: .string(senderID)),
            .init(key: "timestamp_ms", value: .int(timestampMs)),
            .init(key: "type", value: .string(type)),
        ]
        self.eventID = id
        self.roomID = roomID
        self.timestampMs = timestampMs
        self.senderID = senderID
        self.type = type
        self.parentEventID = parentEventID
        self.prevEventHash = prevEventHash
        // Written member by member (the same bytes as encoding `members`) to
        // learn where the signature goes, so the signed line is a splice, not a
        // second encoding of the whole event.
        var out: [UInt8] = []
        out.reserveCapacity(384)
        out.append(contentsOf: #"{"content":"#.utf8)
        CanonicalJSON.append(.object(content), to: &out)
        out.append(contentsOf: #","event_id":"#.utf8)
        CanonicalJSON.appendString(id, to: &out)
        out.append(contentsOf: #","parent_event_id":"#.utf8)
        CanonicalJSON.append(parentEventID.map { .string($0) } ?? .null, to: &out)
        out.append(contentsOf: #","prev_event_hash":"#.utf8)
        CanonicalJSON.append(prevEventHash.map { .string($0) } ?? .null, to: &out)
        out.append(contentsOf: #","room_id":"#.utf8)
        CanonicalJSON.appendString(roomID, to: &out)
        out.append(contentsOf: #","sender_id":"#.utf8)
        CanonicalJSON.appendString(senderID, to: &out)
        signatureOffset = out.count
        out.append(contentsOf: #","timestamp_ms":"#.utf8)
        CanonicalJSON.appendInteger(timestampMs, to: &out)
        out.append(contentsOf: #","type":"#.utf8)
        CanonicalJSON.appendString(type, to: &out)
        out.append(UInt8(ascii: "}"))
        canonical = out
        hash = Base64.encode(SHA256.digest(canonical))
    }

    /// Signs the event with the device key.
    public func signed(with key: SigningKey) -> Event {
        event(signature: Base64.encode(key.sign(canonical)))
    }

    /// Signs the event and gives its log line too (canonical JSON with the
    /// signature, no newline: the bytes of ``Event/lineBytes``), made by
    /// inserting the signature into ``canonical`` rather than encoding again.
    public func signedLine(with key: SigningKey) -> (event: Event, line: [UInt8]) {
        let signature = Base64.encode(key.sign(canonical))
        var line: [UInt8] = []
        line.reserveCapacity(canonical.count + Self.signatureBytes)
        line.append(contentsOf: canonical[..<signatureOffset])
        line.append(contentsOf: #","signature":""#.utf8)
        line.append(contentsOf: signature.utf8)
        line.append(UInt8(ascii: "\""))
        line.append(contentsOf: canonical[signatureOffset...])
        return (event(signature: signature), line)
    }

    private func event(signature: String) -> Event {
        var all = members
        all.insert(.init(key: "signature", value: .string(signature)), at: 6)
        return Event(eventID: eventID, roomID: roomID, timestampMs: timestampMs, senderID: senderID, type: type,
                     parentEventID: parentEventID, prevEventHash: prevEventHash, signature: signature, content: content,
                     json: JSONObject(sortedMembers: all))
    }
}
