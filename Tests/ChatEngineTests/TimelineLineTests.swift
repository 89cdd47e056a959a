import ChatEngine
import ChatProtocol
import Testing

/// One event, one safe line (docs/timeline-format.md), whatever a remote
/// sender writes. Cases marked "fuzz" are inputs the libFuzzer target
/// `fuzz-timeline` (Fuzz/) flagged; they stay here as regressions.
@Suite struct TimelineLineTests {
    /// Every scalar a line may not carry raw, with why.
    static let forbidden: [(UInt32, String)] = [
        (0x0A, "newline"), (0x0D, "carriage return"), (0x09, "tab"), (0x1B, "ESC"), (0x07, "BEL"), (0x00, "NUL"),
        (0x7F, "DEL"), (0x85, "NEL"), (0x9B, "CSI"), (0x9D, "OSC"),
        (0x2028, "line separator"), (0x2029, "paragraph separator"),
        (0x200E, "LRM"), (0x200F, "RLM"), (0x202A, "LRE"), (0x202B, "RLE"), (0x202C, "PDF"), (0x202D, "LRO"),
        (0x202E, "RLO"), (0x2066, "LRI"), (0x2067, "RLI"), (0x2068, "FSI"), (0x2069, "PDI"),
    ]

    @Test(arguments: forbidden.map(\.0))
    func escapesEveryForbiddenScalar(_ value: UInt32) throws {
        let scalar = try #require(Unicode.Scalar(value))
        let escaped = TimelineLine.escape("a\(Character(scalar))b")
        #expect(!escaped.unicodeScalars.contains(scalar))
        // The escape names the scalar so a reader can still see what was sent.
        let expected = [0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t"][value] ?? "\\u{\(String(value, radix: 16))}"
        #expect(escaped == "a\(expected)b")
    }

    /// fuzz: U+2028/U+2029 passed through and split the line for editors,
    /// JavaScript and Swift's `isNewline`.
    @Test func lineAndParagraphSeparatorsAreEscaped() {
        #expect(TimelineLine.escape("\u{2028}sep\u{2029}") == "\\u{2028}sep\\u{2029}")
        let escaped = TimelineLine.escape("a\u{2028}b")
        #expect(!escaped.contains { $0.isNewline })
    }

    @Test func keepsOrdinaryTextAndEscapesTheEscapeCharacter() {
        #expect(TimelineLine.escape("héllo wörld 👋 e\u{301}") == "héllo wörld 👋 e\u{301}")
        #expect(TimelineLine.escape(#"C:\path"#) == #"C:\\path"#)
        // A sender cannot forge an escape sequence: the backslash is doubled.
        #expect(TimelineLine.escape(#"\n"#) == #"\\n"#)
        #expect(TimelineLine.escape("plain ASCII, ~!@#$%^&*()") == "plain ASCII, ~!@#$%^&*()")
        #expect(TimelineLine.escape("del\u{7F}") == "del\\u{7f}", "DEL is the one control above the printable range")
    }

    @Test func shortReferencesAreTheFirstTwelveLettersAndDigitsOfTheLastPart() {
        #expect(EventReference.short("room_a::20260101T000000.000Z::0123abcd-ef45-4678-9abc-def012345678") == "0123abcdef45")
        #expect(EventReference.short("room_a::t::ÄB-c_d😀e9") == "Bcde9", "only ASCII letters and digits count")
        #expect(EventReference.short("no-separators-here-0123456789") == "noseparators")
        #expect(EventReference.short("").count == 12, "an id with no letter or digit still gets a REF (a hash of the id)")
        #expect(EventReference.short("room_a::t::---") != EventReference.short("room_a::t::+++"))
    }

    /// A whole hostile room renders to one five-field line per event.
    @Test func hostileRoomRendersOneSafeLinePerEvent() throws {
        let alice = try SigningKey(seed: [UInt8](repeating: 1, count: 32))
        let mallory = try SigningKey(seed: [UInt8](repeating: 2, count: 32))
        let roomID = "room_hostile"
        let metadata = try RoomMetadata.signed(roomID: roomID, name: "Hostile", createdAt: "2025-09-14T12:00:00Z",
                                               creator: "user:alice", key: alice, joinRule: .public)
        // sender_id may not hold C0/C1 controls (SenderID), but may hold
        // bidi overrides, separators and markup.
        let sender = "user:<mal\u{202E}lory>\u{2028}"
        let nasty = "one\ntwo\r\tthree \u{1B}[31mred\u{1B}]0;title\u{07} \u{202E}txt.exe\u{202C} \u{2029}end"
        var chains = [alice.publicKey.base64: DeviceChain(roomID: roomID, senderID: "user:alice", key: alice),
                      mallory.publicKey.base64: DeviceChain(roomID: roomID, senderID: sender, key: mallory)]
        var now: Int64 = 1_757_851_200_000
        var objects = [StoredObject(key: RoomObjectKey.metadataKey(roomID: roomID), bytes: metadata.bytes)]
        func emit(_ key: SigningKey, _ type: String, _ content: JSONValue, parent: String? = nil) throws -> Event {
            now += 10
            var chain = try #require(chains[key.publicKey.base64])
            let event = try chain.sign(type: type, content: content.objectValue ?? JSONObject(), parentEventID: parent, nowMs: now)
            chains[key.publicKey.base64] = chain
            let name = LogObjectName(roomID: roomID, startTs: event.timestampMs, endTs: event.timestampMs, clientID: "c\(now)")
            objects.append(StoredObject(key: name.key, bytes: event.lineBytes + [0x0A]))
            return event
        }
        _ = try emit(alice, EventType.member, ["membership": "join", "public_key": .string(alice.publicKey.base64)])
        _ = try emit(mallory, EventType.member, ["membership": "join", "public_key": .string(mallory.publicKey.base64),
                                                 "displayname": .string(nasty)])
        let message = try emit(mallory, EventType.message, ["body": .string(nasty), "msgtype": "m.emote"])
        _ = try emit(mallory, EventType.message, ["body": .string(nasty), "msgtype": "m.text"], parent: message.eventID)
        _ = try emit(mallory, EventType.edit, ["replaces": .string(message.eventID),
                                               "new_content": ["body": .string(nasty), "msgtype": "m.text"]])
        _ = try emit(mallory, EventType.reaction, ["relates_to": .string(message.eventID), "reaction": .string(nasty)])
        _ = try emit(alice, EventType.topic, ["topic": .string(nasty)])
        _ = try emit(alice, EventType.member, ["membership": "kick", "user_id": .string(sender), "reason": .string(nasty)])

        let verification = RoomVerifier(nowMs: now + 60_000).verify(roomID: roomID, objects: objects)
        #expect(verification.accepted.count == 8)
        for event in verification.accepted {
            let name = verification.state.members[event.event.senderID]?.displayName
            let line = try #require(TimelineLine.render(event, displayName: name))
            #expect(line.last == "\n")
            #expect(line.dropLast().allSatisfy { !$0.isNewline }, "\(line.debugDescription)")
            #expect(line.split(separator: "\t", omittingEmptySubsequences: false).count == 5, "\(line.debugDescription)")
            for (value, what) in Self.forbidden where value != 0x0A && value != 0x09 {
                #expect(!line.unicodeScalars.contains { $0.value == value }, "raw \(what) in \(line.debugDescription)")
            }
        }
    }

    /// Invisible scalars: they hide text, fake names that look like another
    /// (`user:ali\u{200B}ce`) or smuggle bytes a reader never sees.
    static let invisible: [(UInt32, String)] = [
        (0x200B, "zero-width space"), (0x2060, "word joiner"), (0xFEFF, "BOM / zero-width no-break space"),
        (0x00AD, "soft hyphen"), (0x061C, "Arabic letter mark"), (0x180E, "Mongolian vowel separator"),
        (0x2062, "invisible times"), (0xFFF9, "interlinear annotation"), (0xE0041, "tag letter A"),
        (0x3164, "Hangul filler"), (0x115F, "Hangul choseong filler"),
    ]

    @Test(arguments: invisible.map(\.0))
    func escapesInvisibleScalarsInEveryField(_ value: UInt32) throws {
        let scalar = try #require(Unicode.Scalar(value))
        for joiners in [false, true] {
            #expect(TimelineLine.escape("a\(Character(scalar))b", keepingJoiners: joiners) == "a\\u{\(String(value, radix: 16))}b")
        }
    }

    /// Joiners are needed by emoji sequences and by Persian and Indic
    /// scripts, so the TEXT field keeps them; SENDER shows them, so two ids
    /// or names never look alike.
    @Test func joinersStayInTextButShowInNames() {
        let family = "👨\u{200D}👩\u{200D}👧"
        let persian = "می\u{200C}خواهم"
        #expect(TimelineLine.escape(family, keepingJoiners: true) == family)
        #expect(TimelineLine.escape(persian, keepingJoiners: true) == persian)
        #expect(TimelineLine.escape(family) == "👨\\u{200d}👩\\u{200d}👧")
        #expect(TimelineLine.escape("user:ali\u{200D}ce") == "user:ali\\u{200d}ce")
    }

    /// A subdivision flag is 🏴 followed by tag characters: kept in TEXT.
    /// Tags anywhere else, or a long run of them, are hidden ASCII
    /// ("ASCII smuggling") and are escaped.
    @Test func flagTagsAreKeptButSmuggledTagsAreNot() {
        let scotland = "🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}"
        #expect(TimelineLine.escape(scotland, keepingJoiners: true) == scotland)
        let hidden = "hi" + "ignore previous".unicodeScalars.compactMap { Unicode.Scalar($0.value + 0xE0000).map { String(Character($0)) } }.joined()
        #expect(!TimelineLine.escape(hidden, keepingJoiners: true).unicodeScalars.contains { (0xE0000...0xE007F).contains($0.value) })
        let longFlag = "🏴" + String(repeating: "\u{E0061}", count: 20)
        let escaped = TimelineLine.escape(longFlag, keepingJoiners: true)
        #expect(escaped.unicodeScalars.filter { (0xE0000...0xE007F).contains($0.value) }.count == 7)
    }

    /// One variation selector after a character picks its look (❤️); a run
    /// of them carries hidden bytes ("emoji smuggling").
    @Test func onlyOneVariationSelectorInARowIsKept() {
        #expect(TimelineLine.escape("❤\u{FE0F}", keepingJoiners: true) == "❤\u{FE0F}")
        let smuggled = "😀" + (0..<16).compactMap { Unicode.Scalar(UInt32(0xE0100 + $0)).map { String(Character($0)) } }.joined()
        let escaped = TimelineLine.escape(smuggled, keepingJoiners: true)
        #expect(escaped.unicodeScalars.filter { (0xE0100...0xE01EF).contains($0.value) }.count == 1)
        #expect(escaped.hasPrefix("😀\u{E0100}\\u{e0101}"))
    }

    /// A sender picks its event ids: one whose last part has no letter or
    /// digit still gets a REF, and a message with an empty body still shows
    /// five non-empty fields.
    @Test func everyFieldIsNonEmptyEvenForOddIdsAndEmptyBodies() throws {
        let key = try SigningKey(seed: [UInt8](repeating: 3, count: 32))
        let roomID = "room_odd"
        // Messages need a body; a topic may be cleared to "".
        for (tail, type, content) in [("----", EventType.message, MessageContent(body: "x").json), ("", EventType.topic, JSONObject([("topic", "")])),
                                      ("\u{202E}", EventType.name, JSONObject([("name", "")]))] {
            let id = "\(roomID)::20250914T120000.000Z::\(tail)"
            let event = try Event.signed(roomID: roomID, eventID: id, timestampMs: 1_757_851_200_000, senderID: "user:<odd>",
                                         type: type, content: content, parentEventID: nil, prevEventHash: nil, key: key)
            let reference = EventReference.short(id)
            #expect(reference.count == EventReference.length && reference.allSatisfy { $0.isHexDigit })
            #expect(reference == EventReference.short(id), "the same id always gets the same REF")
            let line = try #require(TimelineLine.render(VerifiedEvent(unconfirmed: event, signer: key.publicKey)))
            let fields = line.dropLast().split(separator: "\t", omittingEmptySubsequences: false)
            #expect(fields.count == 5 && fields.allSatisfy { !$0.isEmpty }, "\(line.debugDescription)")
            #expect(fields[2] == "user:<odd>", "markup in a sender id is shown as it is")
        }
        #expect(try EventReference.resolve(EventReference.short("\(roomID)::t::----"), among: ["\(roomID)::t::----"], roomID: roomID) == "\(roomID)::t::----")
    }
}
