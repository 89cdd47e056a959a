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
        #expect(EventReference.short("") == "")
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
}
