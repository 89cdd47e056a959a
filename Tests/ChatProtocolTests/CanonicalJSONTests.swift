import Testing
@testable import ChatProtocol

@Suite struct CanonicalJSONTests {
    @Test func everyCanonicalVectorMatchesByteForByte() throws {
        let vectors = try Fixtures.array("canonical.json")
        #expect(vectors.count == 11)
        for vector in vectors {
            let name = vector["name"]?.stringValue ?? "?"
            let input = try #require(vector["input"]?.stringValue)
            let expected = try #require(vector["canonical"]?.stringValue)
            guard case .object(let object) = try JSONParser().parse(input.bytes) else {
                Issue.record("\(name): not an object"); continue
            }
            let canonical = CanonicalJSON.encodeUnsigned(object)
            #expect(String(decoding: canonical, as: UTF8.self) == expected, "\(name)")
            #expect(Base64.encode(SHA256.digest(canonical)) == vector["sha256_base64"]?.stringValue, "\(name)")
        }
    }

    @Test func keysSortByCodePointNotUTF16() throws {
        // U+FFFF sorts before U+1F600 by code point; by UTF-16 unit it would sort after.
        let value = try JSONParser().parse("{\"😀\":1,\"\u{FFFF}\":2}".bytes)
        #expect(String(decoding: CanonicalJSON.encode(value), as: UTF8.self) == #"{"\uffff":2,"\ud83d\ude00":1}"#)
    }

    @Test func canonicalOutputParsesBackToTheSameBytes() throws {
        let input = #"{"z":[1,-2,{"b":"\u00e9\n","a":null}],"a":true,"m":"\ud83d\ude00/\u007f"}"#
        let once = CanonicalJSON.encode(try JSONParser().parse(input.bytes))
        let twice = CanonicalJSON.encode(try JSONParser().parse(once))
        #expect(once == twice)
    }

    @Test func integersAtTheLimitsRoundTrip() throws {
        for text in ["9007199254740991", "-9007199254740991", "0", "-0", "42"] {
            let value = try JSONParser().parse(text.bytes)
            let expected = text == "-0" ? "0" : text
            #expect(String(decoding: CanonicalJSON.encode(value), as: UTF8.self) == expected)
        }
    }

    @Test func onlyTopLevelSignatureIsDropped() throws {
        guard case .object(let o) = try JSONParser().parse(#"{"signature":"x","c":{"signature":"y"}}"#.bytes) else {
            Issue.record("not an object"); return
        }
        #expect(String(decoding: CanonicalJSON.encodeUnsigned(o), as: UTF8.self) == #"{"c":{"signature":"y"}}"#)
    }
}

@Suite struct StrictParserTests {
    func kind(_ text: String, maxDepth: Int = 64) -> JSONParseError.Kind? {
        do {
            _ = try JSONParser(maxDepth: maxDepth).parse(text.bytes)
            return nil
        } catch {
            return error.kind
        }
    }

    func kind(bytes: [UInt8]) -> JSONParseError.Kind? {
        do { _ = try JSONParser().parse(bytes); return nil } catch { return error.kind }
    }

    @Test(arguments: [
        "1.5", "1e3", "1E+3", "-0.0", "9007199254740992", "-9007199254740992", "123456789012345678901234567890",
        "NaN", "Infinity", "-Infinity", #"{"a":1,"a":2}"#, #""\ud800""#, #""\udc00x""#, #""\ud800\u0041""#,
    ])
    func nonCanonicalInputIsRejectedAsSuch(_ text: String) {
        #expect(kind(text) == .nonCanonical, "\(text)")
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\":1,}", "01", "-", "1.", "1e", "tru", "'a'", "{\"a\" 1}", "[1 2]", "\"a", "\"\\x\"",
        "{\"a\":1} x", "\"a\tb\"", "\"\\u12\"", "+1",
    ])
    func malformedInputIsRejectedAsSuch(_ text: String) {
        #expect(kind(text) == .malformed, "\(text)")
    }

    @Test func invalidUTF8IsNonCanonical() {
        #expect(kind(bytes: [0x22, 0xFF, 0x22]) == .nonCanonical)
        #expect(kind(bytes: [0x22, 0xC0, 0x80, 0x22]) == .nonCanonical, "overlong NUL")
        #expect(kind(bytes: [0x22, 0xED, 0xA0, 0x80, 0x22]) == .nonCanonical, "UTF-8 encoded surrogate")
        #expect(kind(bytes: [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22]) == .nonCanonical, "above U+10FFFF")
        #expect(kind(bytes: [0x22, 0xE2, 0x9C, 0x22]) == .nonCanonical, "truncated sequence")
        #expect(kind(bytes: [0x22, 0xE2, 0x9C, 0x93, 0x22]) == nil, "valid check mark")
    }

    @Test func nestingIsBoundedAt64() {
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(kind(ok) == nil)
        #expect(kind(deep) == .malformed)
        // Far deeper input must fail cleanly, not overflow the stack.
        let hostile = String(repeating: "[", count: 200_000)
        #expect(kind(hostile) == .malformed)
    }

    @Test func inputOverTheSizeLimitIsRejected() throws {
        let big = "\"" + String(repeating: "a", count: 65_536) + "\""
        #expect(throws: JSONParseError.self) { try JSONParser().parse(big.bytes) }
        let error = try #require(catching(big))
        #expect(error.message.contains("over the limit"))
    }

    func catching(_ text: String) -> JSONParseError? {
        do { _ = try JSONParser().parse(text.bytes); return nil } catch { return error }
    }

    @Test func errorsSayWhereAndWhat() throws {
        let error = try #require(catching(#"{"a":1.5}"#))
        #expect(error.offset == 5)
        #expect(error.description.contains("not an integer"))
        let dup = try #require(catching(#"{"k":1,"k":2}"#))
        #expect(dup.description.contains("duplicate key \"k\""))
    }

    @Test func duplicateKeysAreComparedByBytesNotCanonicalEquivalence() throws {
        // "é" precomposed and decomposed are different keys to JSON and Python.
        let value = try JSONParser().parse("{\"\u{E9}\":1,\"e\u{301}\":2}".bytes)
        #expect(value.objectValue?.count == 2)
    }
}
