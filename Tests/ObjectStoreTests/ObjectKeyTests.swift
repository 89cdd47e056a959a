import ObjectStore
import Testing

@Suite struct ObjectKeyTests {
    @Test(arguments: [
        "rooms/room_abc/metadata.json",
        "team-a/rooms/r/logs/2024-01-02/messages_1_2_alice_3f9a2c.jsonl",
        "a", "a.b/c..d/...e", "ünïcødé/😀", ".hidden/x",
    ])
    func acceptsOrdinaryKeys(_ text: String) throws {
        #expect(try ObjectKey(text).rawValue == text)
    }

    @Test(arguments: [
        "", "/rooms/x", "rooms//x", "rooms/x/", "../etc/passwd", "rooms/../x", "rooms/..",
        ".", "rooms/./x", "bad\u{0}nul", "line\nbreak", "tab\there", "del\u{7F}", "c1\u{85}",
    ])
    func rejectsBadKeys(_ text: String) {
        #expect(throws: StoreError.self) { try ObjectKey(text) }
        do {
            _ = try ObjectKey(text)
        } catch {
            #expect(error.code == .invalidKey)
            #expect(error.message.contains("not a valid object key"))
        }
    }

    @Test func rejectsOverlongKeys() {
        let long = String(repeating: "a", count: ObjectKey.maximumLength + 1)
        #expect(throws: StoreError.self) { try ObjectKey(long) }
        #expect(throws: Never.self) { try ObjectKey(String(repeating: "a", count: ObjectKey.maximumLength)) }
    }

    @Test func messageShowsControlCharactersEscaped() throws {
        do {
            _ = try ObjectKey("a\u{1}b")
            Issue.record("accepted a control character")
        } catch {
            #expect(error.message.contains("a\\u{1}b"))
        }
    }

    @Test func prefixesMayBePartialOrEndInSlash() throws {
        try ObjectKey.validatePrefix("")
        try ObjectKey.validatePrefix("rooms/")
        try ObjectKey.validatePrefix("rooms/room_a/logs/2024-")
        #expect(throws: StoreError.self) { try ObjectKey.validatePrefix("/rooms") }
        #expect(throws: StoreError.self) { try ObjectKey.validatePrefix("rooms//") }
        #expect(throws: StoreError.self) { try ObjectKey.validatePrefix("../") }
    }

    @Test func ordersByBytes() throws {
        let keys = try ["b", "a/b", "a", "Z", "a-b"].map { try ObjectKey($0) }
        #expect(keys.sorted().map(\.rawValue) == ["Z", "a", "a-b", "a/b", "b"])
    }
}
