import Testing
@testable import ChatProtocol

/// ``CanonicalLineReader`` reads lines that are already canonical without a
/// strict parse. Whatever it accepts, the strict parser must read as the same
/// value and the canonical encoder must write back as the same bytes, and the
/// signed bytes it cuts out must be `CanonicalJSON.encodeUnsigned`'s.
@Suite struct CanonicalLineReaderTests {
    func read(_ text: String) -> CanonicalLineReader.Reading? {
        Array(text.utf8).withUnsafeBufferPointer { CanonicalLineReader.read($0) }
    }

    /// The reader's contract on one input: nil, or exactly what parse-and-encode gives.
    func expectAgrees(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        guard let reading = bytes.withUnsafeBufferPointer({ CanonicalLineReader.read($0) }) else { return }
        let strict = try? JSONParser().parse(bytes)
        #expect(strict == .object(reading.object), "the strict parser reads the same value", sourceLocation: sourceLocation)
        #expect(CanonicalJSON.encode(.object(reading.object)) == bytes, "the text is its own canonical form", sourceLocation: sourceLocation)
        var signed = bytes
        if let cut = reading.signature { signed.removeSubrange(cut) }
        #expect(signed == CanonicalJSON.encodeUnsigned(reading.object), "the signed bytes", sourceLocation: sourceLocation)
    }

    @Test func theSigningVectorsAreReadAndCutToTheirSignedBytes() throws {
        for vector in try Fixtures.array("signing.json") {
            let event = try #require(vector["event"]?.objectValue)
            let line = CanonicalJSON.encode(.object(event))
            let reading = try #require(line.withUnsafeBufferPointer { CanonicalLineReader.read($0) })
            var signed = line
            if let cut = reading.signature { signed.removeSubrange(cut) }
            #expect(String(decoding: signed, as: UTF8.self) == vector["canonical"]?.stringValue)
            expectAgrees(line)
        }
    }

    @Test func theIndependentRoomsLinesAgree() throws {
        var lines = 0
        for object in try Fixtures.roomObjects() where object.key.hasSuffix(".jsonl") {
            for line in object.bytes.split(separator: 0x0A) {
                expectAgrees(Array(line))
                lines += 1
            }
        }
        #expect(lines > 10)
    }

    @Test func canonicalEscapesAreRead() throws {
        let text = #"{"a":"\"\\\b\f\n\r\t\u0000\u001f\u007f\u00e9\uffff\ud83d\ude00/~","b":[true,false,null,-9007199254740991,0,[],{}],"signature":"s"}"#
        let reading = try #require(read(text))
        #expect(reading.object["a"]?.stringValue == "\"\\\u{8}\u{C}\n\r\t\u{0}\u{1F}\u{7F}é\u{FFFF}😀/~")
        expectAgrees(Array(text.utf8))
    }

    @Test func theSignatureCutTakesOneComma() throws {
        for (text, signed) in [
            (#"{"a":1,"signature":"s","z":2}"#, #"{"a":1,"z":2}"#),
            (#"{"signature":"s","z":2}"#, #"{"z":2}"#),
            (#"{"a":1,"signature":"s"}"#, #"{"a":1}"#),
            (#"{"signature":"s"}"#, #"{}"#),
            (#"{"a":{"signature":"nested"}}"#, #"{"a":{"signature":"nested"}}"#),
        ] {
            let reading = try #require(read(text))
            var bytes = Array(text.utf8)
            if let cut = reading.signature { bytes.removeSubrange(cut) }
            #expect(String(decoding: bytes, as: UTF8.self) == signed)
        }
    }

    @Test func anythingNotCanonicalIsLeftToTheStrictParser() {
        for text in [
            #"{ "a":1}"#, #"{"a" :1}"#, #"{"a":1 }"#, #" {"a":1}"#, #"{"a":1}\#n"#,
            #"{"b":1,"a":2}"#, #"{"a":1,"a":1}"#,
            #"{"a":"\/"}"#, #"{"a":"\u0041"}"#, #"{"a":"\u000a"}"#, #"{"a":"\u00E9"}"#, #"{"a":"é"}"#,
            #"{"a":"\ud800"}"#, #"{"a":"\udc00"}"#, #"{"a":"\ud800\u0041"}"#, #"{"a":"\x"}"#,
            #"{"a":-0}"#, #"{"a":1.0}"#, #"{"a":1e2}"#, #"{"a":01}"#, #"{"a":9007199254740992}"#, #"{"a":NaN}"#,
            #"{"a":tru}"#, #"{"a":1,}"#, #"{"a":[1,]}"#, #"{"a":"unterminated}"#, #"["a"]"#, #"{"a":1}{}"#,
            #"{"a":""# + "\u{1}" + #""}"#,
            String(repeating: #"{"a":"#, count: 70) + "1" + String(repeating: "}", count: 70),
        ] {
            #expect(read(text) == nil, "\(text)")
        }
    }

    @Test(arguments: 0..<8) func randomValuesAndTheirMutationsAgree(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        for _ in 0..<200 {
            var object = JSONObject()
            for _ in 0..<Int(random.next() % 6) { object[randomString(&random)] = randomValue(&random, depth: 0) }
            if random.next() % 2 == 0 { object["signature"] = .string(randomString(&random)) }
            let canonical = CanonicalJSON.encode(.object(object))
            let reading = canonical.withUnsafeBufferPointer { CanonicalLineReader.read($0) }
            #expect(reading?.object == object, "a canonical text is always read")
            expectAgrees(canonical)
            // Mutations: whatever of them the reader still accepts must still agree.
            for _ in 0..<20 {
                var mutated = canonical
                switch random.next() % 3 {
                case 0 where !mutated.isEmpty:
                    mutated[Int(random.next() % UInt64(mutated.count))] = interesting[Int(random.next() % UInt64(interesting.count))]
                case 1:
                    mutated.insert(interesting[Int(random.next() % UInt64(interesting.count))], at: Int(random.next() % UInt64(mutated.count + 1)))
                default:
                    if !mutated.isEmpty { mutated.remove(at: Int(random.next() % UInt64(mutated.count))) }
                }
                expectAgrees(mutated)
            }
        }
    }

    let interesting = Array(#"{}[]":,\/u0189aefAEF-+.e nrtb"#.utf8) + [0x00, 0x1F, 0x7F, 0x80, 0xC3, 0xA9, 0xED, 0xF0]

    func randomString(_ random: inout SplitMix64) -> String {
        let pool: [Unicode.Scalar] = ["a", "b", "z", "\"", "\\", "/", "\u{0}", "\u{8}", "\n", "\u{1F}", " ", "~", "\u{7F}",
                                      "\u{80}", "é", "\u{FFFF}", "😀", "\u{10FFFF}", "\u{2028}", "s"]
        var out = ""
        for _ in 0..<Int(random.next() % 6) { out.unicodeScalars.append(pool[Int(random.next() % UInt64(pool.count))]) }
        return out
    }

    func randomValue(_ random: inout SplitMix64, depth: Int) -> JSONValue {
        switch random.next() % (depth > 3 ? 5 : 7) {
        case 0: return .null
        case 1: return .bool(random.next() % 2 == 0)
        case 2: return .int(Int64(bitPattern: random.next()) % JSONParser.maxSafeInteger)
        case 3: return .int(Int64(random.next() % 100) - 50)
        case 4: return .string(randomString(&random))
        case 5: return .array((0..<Int(random.next() % 4)).map { _ in randomValue(&random, depth: depth + 1) })
        default:
            var object = JSONObject()
            for _ in 0..<Int(random.next() % 4) { object[randomString(&random)] = randomValue(&random, depth: depth + 1) }
            return .object(object)
        }
    }
}
