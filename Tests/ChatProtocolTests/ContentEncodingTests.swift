import Testing
@testable import ChatProtocol

/// `EventContent.json` is the inverse of `EventContent(type:content:)`: what a
/// writer encodes is what every reader decodes, byte for byte.
@Suite struct ContentEncodingTests {
    /// Every event line of the vector rooms (ours and the reference client's)
    /// and of the signing vectors, as (type, content) pairs.
    static func vectorContents() throws -> [(type: String, content: JSONObject)] {
        let parser = JSONParser()
        var objects: [JSONObject] = []
        let stored = try Fixtures.roomObjects() + Fixtures.objects(under: Fixtures.directory.appendingPathComponent("reference-room"))
        for object in stored where object.key.hasSuffix(".jsonl") {
            for line in object.bytes.split(separator: 0x0A) {
                // Lines the vectors make unreadable on purpose are not content to encode.
                if case .object(let event)? = try? parser.parse(line) { objects.append(event) }
            }
        }
        objects += try Fixtures.array("signing.json").compactMap { $0["event"]?.objectValue }
        return objects.compactMap { event in
            guard let type = event["type"]?.stringValue, let content = event["content"]?.objectValue else { return nil }
            return (type, content)
        }
    }

    @Test func everyVectorEventEncodesBackToItsCanonicalBytes() throws {
        var types: Set<String> = []
        var checked = 0
        for (type, content) in try Self.vectorContents() {
            // Content the vectors reject for its schema has no typed form to encode.
            guard let decoded = try? EventContent(type: type, content: content) else { continue }
            types.insert(type)
            checked += 1
            #expect(CanonicalJSON.encode(.object(decoded.json)) == CanonicalJSON.encode(.object(content)),
                    "\(type): \(String(decoding: CanonicalJSON.encode(.object(content)), as: UTF8.self))")
        }
        #expect(checked >= 30, "only \(checked) vector events decoded")
        #expect(types.isSuperset(of: [EventType.message, EventType.member, EventType.redaction, EventType.edit,
                                     EventType.reaction, EventType.typing, EventType.name]))
    }

    @Test func handMadeContentRoundTrips() throws {
        let key = try SigningKey.generate().publicKey
        let old = try SigningKey.generate().publicKey
        let file = MessageContent.FileInfo(name: "plan.pdf", size: 12_345, mimetype: "application/pdf", sha256: String(repeating: "ab", count: 32))
        let cases: [(String, EventContent)] = [
            (EventType.message, .message(MessageContent(body: "hi"))),
            (EventType.message, .message(MessageContent(body: "waves", msgtype: "m.emote"))),
            (EventType.message, .message(MessageContent(body: "build green", msgtype: "m.notice"))),
            (EventType.message, .message(MessageContent(body: "plan.pdf", msgtype: "m.file", file: file))),
            (EventType.message, .message(MessageContent(body: "é 😀 \u{7f} \"q\" \\", msgtype: "m.text"))),
            (EventType.member, .member(MemberContent(membership: .join, publicKey: key, displayName: "Alice", deviceID: "alice_1"))),
            (EventType.member, .member(MemberContent(membership: .join, publicKey: key, deviceID: "alice_2", revoke: [old]))),
            (EventType.member, .member(MemberContent(membership: .join, publicKey: key, revoke: [old, key]))),
            (EventType.member, .member(MemberContent(membership: .invite, publicKey: key, displayName: "Bob", userID: "user:bob"))),
            (EventType.member, .member(MemberContent(membership: .invite, userID: "bob@example.com"))),
            (EventType.member, .member(MemberContent(membership: .leave))),
            (EventType.member, .member(MemberContent(membership: .kick, userID: "user:eve", reason: "spam"))),
            (EventType.member, .member(MemberContent(membership: .ban, userID: "user:eve"))),
            (EventType.redaction, .redaction(redacts: "r::t::a", reason: nil)),
            (EventType.redaction, .redaction(redacts: "r::t::a", reason: "typo")),
            (EventType.edit, .edit(replaces: "r::t::a", newContent: MessageContent(body: "fixed"))),
            (EventType.edit, .edit(replaces: "r::t::a", newContent: MessageContent(body: "shrugs", msgtype: "m.emote"))),
            (EventType.reaction, .reaction(relatesTo: "r::t::a", reaction: "👍")),
            (EventType.typing, .typing(true)),
            (EventType.typing, .typing(false)),
            (EventType.name, .name("Team plans")),
            (EventType.name, .name("")),
            (EventType.topic, .topic("Q3")),
            ("org.example.poll", .unknown(JSONObject([("question", "lunch?"), ("options", ["yes", "no"]), ("n", 2)]))),
        ]
        for (type, content) in cases {
            let json = content.json
            let decoded = try EventContent(type: type, content: json)
            #expect(decoded == content, "\(type): \(String(decoding: CanonicalJSON.encode(.object(json)), as: UTF8.self))")
            #expect(CanonicalJSON.encode(.object(decoded.json)) == CanonicalJSON.encode(.object(json)))
        }
    }

    /// What the writers put on the wire: optional members left out, never `null`.
    @Test func absentMembersAreLeftOut() {
        let key = PublicKey(base64: String(repeating: "A", count: 43) + "=")
        #expect(key != nil)
        let join = EventContent.member(MemberContent(membership: .join, publicKey: key, deviceID: "d"))
        #expect(String(decoding: CanonicalJSON.encode(.object(join.json)), as: UTF8.self)
                == #"{"device_id":"d","membership":"join","public_key":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}"#)
        let redaction = EventContent.redaction(redacts: "x", reason: nil)
        #expect(String(decoding: CanonicalJSON.encode(.object(redaction.json)), as: UTF8.self) == #"{"redacts":"x"}"#)
        let file = MessageContent.FileInfo(name: "a", size: 0, mimetype: "text/plain", sha256: String(repeating: "0", count: 64))
        #expect(String(decoding: CanonicalJSON.encode(.object(EventContent.message(MessageContent(body: "a", msgtype: "m.file", file: file)).json)), as: UTF8.self)
                == #"{"body":"a","file":{"mimetype":"text/plain","name":"a","sha256":"\#(String(repeating: "0", count: 64))","size":0},"msgtype":"m.file"}"#)
    }

    /// The decoder reads a missing, null or empty `revoke` (and a null optional
    /// string) alike; the encoder writes the one form of each.
    @Test func formsTheDecoderReadsAlikeEncodeToOne() throws {
        let plain = try EventContent(type: EventType.member, content: JSONObject([("membership", "leave")]))
        for variant in [JSONObject([("membership", "leave"), ("revoke", .null)]), JSONObject([("membership", "leave"), ("revoke", [])]),
                        JSONObject([("membership", "leave"), ("reason", .null)])] {
            let decoded = try EventContent(type: EventType.member, content: variant)
            #expect(decoded == plain)
            #expect(decoded.json == plain.json)
        }
    }
}
