import Testing
@testable import ChatProtocol

@Suite struct SigningVectorTests {
    @Test func seedsGiveTheVectorPublicKeys() throws {
        let entries = try Fixtures.array("keys.json")
        #expect(entries.count == 5)
        for entry in entries {
            let seed = Fixtures.hexBytes(try #require(entry["seed_hex"]?.stringValue))
            let key = try SigningKey(seed: seed)
            #expect(key.publicKey.base64 == entry["public_key"]?.stringValue)
        }
    }

    @Test func everySigningVectorMatchesByteForByte() throws {
        let keys = try Fixtures.keys()
        let vectors = try Fixtures.array("signing.json")
        #expect(vectors.count == 3)
        for vector in vectors {
            let device = try #require(vector["device"]?.stringValue)
            let key = try #require(keys[device]).key
            let event = try Event(json: try #require(vector["event"]))
            #expect(String(decoding: event.canonicalBytes, as: UTF8.self) == vector["canonical"]?.stringValue)
            #expect(event.hash == vector["event_hash"]?.stringValue)
            let signature = Base64.encode(key.sign(event.canonicalBytes))
            #expect(signature == vector["signature"]?.stringValue)
            #expect(event.signature == signature)
            let raw = try #require(Base64.decode(signature))
            #expect(key.publicKey.verify(signature: raw, of: event.canonicalBytes))
        }
    }

    @Test func writersSignExactlyWhatTheVectorsSign() throws {
        let keys = try Fixtures.keys()
        for vector in try Fixtures.array("signing.json") {
            let device = try #require(vector["device"]?.stringValue)
            let key = try #require(keys[device]).key
            let expected = try Event(json: try #require(vector["event"]))
            let made = try Event.signed(roomID: expected.roomID, eventID: expected.eventID, timestampMs: expected.timestampMs,
                                        senderID: expected.senderID, type: expected.type, content: expected.contentObject,
                                        parentEventID: expected.parentEventID, prevEventHash: expected.prevEventHash, key: key)
            #expect(made.signature == vector["signature"]?.stringValue)
            #expect(made.hash == vector["event_hash"]?.stringValue)
            #expect(String(decoding: made.canonicalBytes, as: UTF8.self) == vector["canonical"]?.stringValue)
        }
    }

    @Test func deviceChainLinksByTheHashOfWhatItSigned() throws {
        let key = try SigningKey(seed: [UInt8](repeating: 9, count: 32))
        var chain = DeviceChain(roomID: "room_x", senderID: "user:x", key: key)
        let first = try chain.sign(type: EventType.message, content: MessageContent(body: "a").json, nowMs: 1_000)
        let second = try chain.sign(type: EventType.message, content: MessageContent(body: "b").json, nowMs: 1_000)
        #expect(first.prevEventHash == nil)
        #expect(second.prevEventHash == first.hash)
        #expect(chain.prevEventHash == second.hash)
        #expect(second.timestampMs == 1_001)
    }

    @Test func signedEventsChainAndVerify() throws {
        let keys = try Fixtures.keys()
        let alice = try #require(keys["alice_a1"])
        let first = try Event.signed(roomID: "room_vectors01", timestampMs: 1_757_851_200_000, senderID: alice.senderID,
                                     type: EventType.message, content: MessageContent(body: "one").json,
                                     prevEventHash: nil, key: alice.key)
        let second = try Event.signed(roomID: "room_vectors01", timestampMs: 1_757_851_200_001, senderID: alice.senderID,
                                      type: EventType.message, content: MessageContent(body: "two").json,
                                      prevEventHash: first.hash, key: alice.key)
        #expect(second.prevEventHash == first.hash)
        let signature = try #require(Base64.decode(second.signature))
        #expect(alice.key.publicKey.verify(signature: signature, of: second.canonicalBytes))
        var tampered = second.canonicalBytes
        tampered[tampered.count - 3] ^= 1
        #expect(!alice.key.publicKey.verify(signature: signature, of: tampered))
        // The line a writer stores parses back to the same event.
        let reread = try Event(json: try JSONParser().parse(second.lineBytes))
        #expect(reread.canonicalBytes == second.canonicalBytes)
        #expect(reread.signature == second.signature)
    }

    @Test func signedLineIsTheCanonicalLineOfTheSignedEvent() throws {
        // The writer splices the signature into the unsigned bytes instead of
        // encoding the event again; the result must be exactly the event's line.
        let key = try SigningKey(seed: [UInt8](repeating: 7, count: 32))
        var chain = DeviceChain(roomID: "room_splice", senderID: "user:zoë", key: key)
        let contents: [(String, JSONObject, String?)] = [
            (EventType.message, MessageContent(body: "plain").json, nil),
            (EventType.message, MessageContent(body: "tab\t \"quote\" back\\slash é 😀 \u{7} \u{2028}").json, "room_splice::x::y"),
            (EventType.reaction, JSONObject([("relates_to", "room_splice::a::b"), ("reaction", "👍")]), nil),
            ("org.example.custom", JSONObject([("z", .int(-12)), ("a", .array([.null, .bool(true)])), ("signature", "inner")]), nil),
        ]
        for (type, content, parent) in contents {
            let unsigned = try chain.prepare(type: type, content: content, parentEventID: parent, nowMs: 1_757_851_245_123)
            let (event, line) = unsigned.signedLine(with: key)
            #expect(line == CanonicalJSON.encode(.object(event.json)))
            #expect(line == event.lineBytes)
            #expect(event.canonicalBytes == unsigned.canonical)
            #expect(line.count == unsigned.canonical.count + UnsignedEvent.signatureBytes)
            #expect(event.signature == unsigned.signed(with: key).signature, "Ed25519 signatures are deterministic")
            let reread = try Event(json: try JSONParser().parse(line))
            #expect(reread.hash == unsigned.hash)
        }
    }

    @Test func eventIDsHaveTheSpecForm() {
        let id = EventID.make(roomID: "room_x", timestampMs: 1_757_851_245_123)
        let parts = id.split(separator: "::").map(String.init)
        #expect(parts.count == 3)
        #expect(parts[0] == "room_x")
        #expect(parts[1] == "20250914T120045.123Z")
        #expect(parts[2].count == 36)
        #expect(parts[2] == parts[2].lowercased())
        #expect(Array(parts[2])[14] == "4", "version 4 UUID")
        #expect(EventID.make(roomID: "room_x", timestampMs: 0) != EventID.make(roomID: "room_x", timestampMs: 0))
    }

    @Test func deviceClockStrictlyIncreases() {
        var clock = DeviceClock()
        #expect(clock.next(now: 1000) == 1000)
        #expect(clock.next(now: 1000) == 1001, "same millisecond")
        #expect(clock.next(now: 500) == 1002, "clock stepped back")
        #expect(clock.next(now: 5000) == 5000)
    }

    @Test func utcCalendarFieldsAreRight() {
        #expect(UTCTime(milliseconds: 0).iso8601 == "1970-01-01T00:00:00.000Z")
        #expect(UTCTime(milliseconds: 951_782_400_000).dateFolder == "2000-02-29")
        #expect(UTCTime(milliseconds: 1_757_851_245_123).iso8601 == "2025-09-14T12:00:45.123Z")
        #expect(UTCTime(milliseconds: 4_102_444_799_999).iso8601 == "2099-12-31T23:59:59.999Z")
        #expect(UTCTime(milliseconds: 1_757_851_245_007).compact == "20250914T120045.007Z")
        #expect(UTCTime(milliseconds: 0).compact == "19700101T000000.000Z")
        #expect(UTCTime(milliseconds: 253_402_300_799_999).iso8601 == "9999-12-31T23:59:59.999Z")
        #expect(UTCTime(milliseconds: 253_402_300_800_000).dateFolder == "10000-01-01", "wider years are not cut")
    }

    @Test func base64IsStrict() {
        #expect(Base64.encode([]) == "")
        #expect(Base64.encode([0xFF]) == "/w==")
        #expect(Base64.encode([0xFF, 0xEE]) == "/+4=")
        #expect(Base64.decode("/w==") == [0xFF])
        #expect(Base64.decode("/x==") == nil, "non-zero trailing bits")
        #expect(Base64.decode("/w") == nil, "missing padding")
        #expect(Base64.decode("_w==") == nil, "URL-safe alphabet")
        #expect(Base64.decode("not base64!") == nil)
        #expect(Base64.decode("=AAA") == nil)
    }
}
