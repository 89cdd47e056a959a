/// One signed event of a room log: the nine fields of PROTOCOL.md §2.
///
/// Holds the fields typed, the decoded ``content``, and the whole JSON object
/// as read, so that fields and content this version does not know are kept
/// byte-exact and still covered by the signature.
///
/// An event restored from a room snapshot carries its identifying fields and
/// decodes the rest (content, signature, chain link, JSON) from its line the
/// first time one of them is read: opening a large room then costs no parsing
/// of events nobody looks at.
public struct Event: Sendable {
    public let eventID: String
    public let roomID: String
    public let timestampMs: Int64
    public let senderID: String
    public let type: String
    public let parentEventID: String?
    let body: Body

    /// The fields past the identifying ones: held, read from a canonical
    /// line, or decoded on first use. Either way one reference, so that
    /// events stay small to copy.
    enum Body: Sendable {
        case held(HeldEventBody)
        case line(LineEventBody)
        case deferred(DeferredEventBody)
    }

    public var prevEventHash: String? {
        switch body {
        case .held(let held): return held.fields.prevEventHash
        case .line(let line): return line.prevEventHash
        case .deferred(let deferred): return deferred.fields.prevEventHash
        }
    }

    /// Standard base64 of the Ed25519 signature, as stored.
    public var signature: String {
        switch body {
        case .held(let held): return held.fields.signature
        case .line(let line): return line.signature
        case .deferred(let deferred): return deferred.fields.signature
        }
    }

    /// The content, decoded for the types of §7.
    public var content: EventContent {
        switch body {
        case .held(let held): return held.fields.content
        case .line(let line): return line.content
        case .deferred(let deferred): return deferred.fields.content
        }
    }

    /// The whole event object as read (signature included).
    public var json: JSONObject {
        switch body {
        case .held(let held): return held.fields.json
        case .line(let line): return line.json
        case .deferred(let deferred): return deferred.fields.json
        }
    }

    /// The bytes that are signed and hashed: `canonical(event)` without `signature`.
    public var canonicalBytes: [UInt8] {
        if case .line(let line) = body { return line.canonicalBytes }
        return CanonicalJSON.encodeUnsigned(json)
    }

    /// The event as one canonical JSON line (signature included), without the newline.
    public var lineBytes: [UInt8] {
        switch body {
        case .held(let held): return CanonicalJSON.encode(.object(held.fields.json))
        case .line(let line): return Array(line.line)
        case .deferred(let deferred): return deferred.line.array
        }
    }

    /// An event from fields a writer has already checked.
    init(eventID: String, roomID: String, timestampMs: Int64, senderID: String, type: String, parentEventID: String?,
         prevEventHash: String?, signature: String, content: EventContent, json: JSONObject) {
        self.init(eventID: eventID, roomID: roomID, timestampMs: timestampMs, senderID: senderID, type: type,
                  parentEventID: parentEventID,
                  body: .held(HeldEventBody(EventBody(prevEventHash: prevEventHash, signature: signature, content: content, json: json))))
    }

    /// The same event holding its line instead of its JSON object: `line` is
    /// the event's canonical text and `signature` where its top-level
    /// signature member lies there, counted from the line's start
    /// (``CanonicalLineReader``).
    func reading(line: ArraySlice<UInt8>, signature: Range<Int>) -> Event {
        guard case .held(let held) = body else { return self }
        let fields = held.fields
        return Event(eventID: eventID, roomID: roomID, timestampMs: timestampMs, senderID: senderID, type: type,
                     parentEventID: parentEventID,
                     body: .line(LineEventBody(line: line, signature: signature,
                                               prevEventHash: fields.prevEventHash, signatureText: fields.signature,
                                               content: fields.content)))
    }

    /// An event whose identifying fields are known and whose line is decoded
    /// only when something reads the rest. The line must be one this reader
    /// verified before (a room snapshot's), with this event hash.
    init(eventID: String, roomID: String, timestampMs: Int64, senderID: String, type: String, parentEventID: String?,
         line: SnapshotSlice, hash: String) {
        self.init(eventID: eventID, roomID: roomID, timestampMs: timestampMs, senderID: senderID, type: type,
                  parentEventID: parentEventID, body: .deferred(DeferredEventBody(line: line, hash: hash)))
    }

    private init(eventID: String, roomID: String, timestampMs: Int64, senderID: String, type: String,
                 parentEventID: String?, body: Body) {
        self.eventID = eventID
        self.roomID = roomID
        self.timestampMs = timestampMs
        self.senderID = senderID
        self.type = type
        self.parentEventID = parentEventID
        self.body = body
    }

    /// The line of an event restored from a snapshot (a slice of the snapshot's bytes).
    var deferredLine: SnapshotSlice? {
        if case .deferred(let deferred) = body { return deferred.line }
        return nil
    }

    /// The raw content object.
    public var contentObject: JSONObject { json["content"]?.objectValue ?? JSONObject() }
}

extension Event {
    /// The nine fields every writer emits.
    public static let fieldNames = [
        "event_id", "room_id", "timestamp_ms", "sender_id", "type",
        "parent_event_id", "prev_event_hash", "signature", "content",
    ]

    /// Which of ``fieldNames`` a key is, by its bytes; nil for any other key.
    /// One look at each member instead of a search per field: this runs for
    /// every event read.
    static func fieldNumber(_ key: String) -> Int? {
        func either(_ a: Int, _ b: Int) -> Int? {
            key.hasSameBytes(as: fieldNames[a]) ? a : key.hasSameBytes(as: fieldNames[b]) ? b : nil
        }
        switch key.utf8.count {
        case 4: return either(4, 4)
        case 7: return either(1, 8)
        case 8: return either(0, 0)
        case 9: return either(3, 7)
        case 12: return either(2, 2)
        case 15: return either(5, 6)
        default: return nil
        }
    }

    /// Decodes an event from a parsed JSON value, checking the schema of §2 and §7.
    public init(json value: JSONValue) throws(ProtocolError) {
        guard case .object(let object) = value else {
            throw ProtocolError(.schema, "an event is a JSON object")
        }
        var fields = [JSONValue?](repeating: nil, count: Event.fieldNames.count)
        for member in object.members {
            if let number = Event.fieldNumber(member.key) { fields[number] = member.value }
        }
        func string(_ number: Int) throws(ProtocolError) -> String {
            let key = Event.fieldNames[number]
            guard let v = fields[number] else { throw ProtocolError(.schema, "missing field \(key)") }
            guard case .string(let s) = v else { throw ProtocolError(.schema, "field \(key) must be a string") }
            return s
        }
        func optionalString(_ number: Int) throws(ProtocolError) -> String? {
            let key = Event.fieldNames[number]
            guard let v = fields[number] else { throw ProtocolError(.schema, "missing field \(key)") }
            switch v {
            case .null: return nil
            case .string(let s): return s
            default: throw ProtocolError(.schema, "field \(key) must be a string or null")
            }
        }
        let eventID = try string(0)
        let roomID = try string(1)
        guard case .int(let timestamp)? = fields[2] else {
            throw ProtocolError(.schema, fields[2] == nil ? "missing field timestamp_ms" : "field timestamp_ms must be an integer")
        }
        guard timestamp >= 0 else { throw ProtocolError(.schema, "timestamp_ms must not be negative") }
        let senderID = try string(3)
        try SenderID.validate(senderID)
        let type = try string(4)
        guard !type.isEmpty else { throw ProtocolError(.schema, "type must not be empty") }
        let parent = try optionalString(5)
        let prev = try optionalString(6)
        let signature = try string(7)
        guard case .object(let content)? = fields[8] else {
            throw ProtocolError(.schema, fields[8] == nil ? "missing field content" : "field content must be an object")
        }
        guard !eventID.isEmpty else { throw ProtocolError(.schema, "event_id must not be empty") }
        self.init(eventID: eventID, roomID: roomID, timestampMs: timestamp, senderID: senderID, type: type,
                  parentEventID: parent, prevEventHash: prev, signature: signature,
                  content: try EventContent(type: type, content: content), json: object)
    }
}

extension Event {
    /// Reads one event line (without its newline) as a verifier does: a line
    /// in canonical form without a full parse, keeping the line, any other
    /// line with the strict parser. Nil when it is not an event of this
    /// profile. (For tools and the fuzz targets; verification reports why.)
    public init?(line: [UInt8]) {
        guard line.count <= LogFileParser.maxLineBytes else { return nil }
        let canonical = line.withUnsafeBufferPointer { CanonicalLineReader.read($0) }
        if let canonical, let event = try? Event(json: .object(canonical.object)), let cut = canonical.signature {
            self = event.reading(line: line[...], signature: cut)
            return
        }
        guard let value = try? JSONParser(maxBytes: LogFileParser.maxLineBytes).parse(line), let event = try? Event(json: value) else {
            return nil
        }
        self = event
    }
}
