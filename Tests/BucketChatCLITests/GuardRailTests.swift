import Foundation
import Testing

/// Ordinary mistakes must not damage or scatter a room: a name or a typo
/// where a room id goes, reading a room one is not in, a folder without
/// metadata. Every command runs as a user would, through the real binary
/// and a local folder store.
@Suite struct GuardRailTests {
    struct World {
        let root: URL
        let store: URL
        let alice: ChatFlowTests.Person
        let bob: ChatFlowTests.Person

        func home(_ name: String) -> URL { root.appendingPathComponent(name) }
    }

    func world() throws -> World {
        let root = try CLIRunner.temporaryDirectory()
        let store = root.appendingPathComponent("store")
        try FileManager.default.createDirectory(at: store, withIntermediateDirectories: true)
        let flow = ChatFlowTests()
        let world = World(root: root, store: store, alice: flow.person("alice", root: root, store: store.path),
                          bob: flow.person("bob", root: root, store: store.path))
        _ = try world.alice.ok(["init", "--name", "alice"])
        _ = try world.bob.ok(["init", "--name", "bob"])
        return world
    }

    /// Every file under a folder with its bytes, by relative path; `skipping` folders left out.
    static func tree(_ folder: URL, skipping: Set<String> = []) -> [String: Data] {
        var files: [String: Data] = [:]
        guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey]) else { return files }
        let base = folder.resolvingSymlinksInPath().path
        for case let url as URL in walker {
            let path = String(url.resolvingSymlinksInPath().path.dropFirst(base.count + 1))
            if skipping.contains(where: { path == $0 || path.hasPrefix($0 + "/") }) {
                continue
            }
            if (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
                files[path] = (try? Data(contentsOf: url)) ?? Data()
            } else {
                files[path + "/"] = Data()
            }
        }
        return files
    }

    @Test func aRoomIsNamedByIdOrNameAndATypoWritesNothing() throws {
        let w = try world()
        defer { try? FileManager.default.removeItem(at: w.root) }
        let lunch = try w.alice.ok(["room", "create", "Lunch", "--wait"])
        let byName = try w.alice.ok(["send", "Lunch", "by", "name", "--wait"])
        #expect(try w.alice.ok(["log", "Lunch"]).contains("\(byName)\tuser:alice (alice)\tmsg\tby name"))
        #expect(try w.alice.ok(["log", lunch]).contains("by name"), "the id names the same room")

        let storeBefore = GuardRailTests.tree(w.store)
        let stateBefore = GuardRailTests.tree(w.home("alice"))
        for typo in [["send", "room_typo123", "hello?"], ["send", "Lnch", "hello?"], ["react", "lunch", byName, "👍"],
                     ["log", "room_typo123"], ["members", "Lunchh"], ["room", "info", "room_typo123"], ["invite", "Lunc", "user:bob"]] {
            let out = try w.alice.run(typo)
            #expect(out.status == 2, "\(typo): \(out.stderr)")
            #expect(out.stderr.contains("No room"), "\(typo): \(out.stderr)")
            #expect(out.stdout.isEmpty, "\(typo) printed a REF: \(out.stdout)")
        }
        let close = try w.alice.run(["send", "Lnch", "hello?"])
        #expect(close.stderr.contains("Did you mean: \(lunch) (Lunch)?"), "\(close.stderr)")
        #expect(GuardRailTests.tree(w.store) == storeBefore, "a refused command leaves the store byte-identical")
        #expect(GuardRailTests.tree(w.home("alice"), skipping: ["cache"]) == stateBefore.filter { !$0.key.hasPrefix("cache") },
                "and the identity's state")
        let list = try w.alice.ok(["room", "list"])
        #expect(list == "\(lunch)\tLunch\t(joined here)", "\(list)")
    }

    @Test func aFolderWithoutMetadataIsNoRoomAndCannotHideARealName() throws {
        let w = try world()
        defer { try? FileManager.default.removeItem(at: w.root) }
        let lunch = try w.alice.ok(["room", "create", "Lunch", "--wait"])
        _ = try w.alice.ok(["send", lunch, "real", "--wait"])
        // What an older bucketchat left after `send Lunch ...`: rooms/Lunch/ with a log and no metadata.
        let logs = w.store.appendingPathComponent("rooms/\(lunch)/logs")
        let broken = w.store.appendingPathComponent("rooms/Lunch/logs")
        try FileManager.default.createDirectory(at: broken.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: logs, to: broken)

        #expect(try w.alice.ok(["log", "Lunch"]).contains("real"), "the name still names the real room")
        #expect(try w.bob.ok(["room", "list"]) == "\(lunch)\tLunch", "the broken folder is not listed")
        let before = GuardRailTests.tree(w.store)
        let sent = try w.alice.ok(["send", "Lunch", "second", "--wait"])
        #expect(try w.alice.ok(["log", lunch]).contains("\(sent)\tuser:alice (alice)\tmsg\tsecond"))
        #expect(Set(GuardRailTests.tree(w.store).keys.filter { $0.hasPrefix("rooms/Lunch/") }) == Set(before.keys.filter { $0.hasPrefix("rooms/Lunch/") }),
                "nothing more lands in the broken folder")
        // By its own id the broken folder is refused, and said to be broken.
        try Data("{\"room_id\":\"Lunch\"".utf8).write(to: w.store.appendingPathComponent("rooms/Lunch/metadata.json"))
        let refused = try w.bob.run(["log", "room_nothing"])
        #expect(refused.status == 2)
        try FileManager.default.removeItem(at: w.store.appendingPathComponent("rooms/\(lunch)"))
        let invalid = try w.bob.run(["members", "Lunch"])
        #expect(invalid.status == 2)
        #expect(invalid.stderr.contains("no valid metadata.json"), "\(invalid.stderr)")
    }

    @Test func readingARoomNeverMakesItLookJoined() throws {
        let w = try world()
        defer { try? FileManager.default.removeItem(at: w.root) }
        let room = try w.alice.ok(["room", "create", "Open", "--public", "--wait"])
        _ = try w.alice.ok(["send", room, "hello", "--wait"])
        // Bob reads once so that the creator key is pinned (trust on first use), then
        // every further read must leave his state folder as it is.
        #expect(try w.bob.ok(["log", room]).contains("hello"))
        let before = GuardRailTests.tree(w.home("bob"), skipping: ["cache"])
        #expect(!before.keys.contains { $0.contains("journal/") }, "log made no journal: \(before.keys.sorted())")
        _ = try w.bob.ok(["log", room, "--json"])
        _ = try w.bob.ok(["members", room])
        _ = try w.bob.ok(["room", "info", "Open"])
        _ = try w.bob.ok(["log", "Open", "--limit", "1"])
        #expect(GuardRailTests.tree(w.home("bob"), skipping: ["cache"]) == before)
        #expect(try w.bob.ok(["room", "list"]) == "\(room)\tOpen", "not joined here")
        _ = try w.bob.ok(["join", "Open", "--wait"])
        #expect(try w.bob.ok(["room", "list"]) == "\(room)\tOpen\t(joined here)")
    }

    @Test func verifyWithoutRoomChecksEveryRoomOfTheStore() throws {
        let w = try world()
        defer { try? FileManager.default.removeItem(at: w.root) }
        let a = try w.alice.ok(["room", "create", "A", "--wait"])
        let b = try w.alice.ok(["room", "create", "B", "--wait"])
        _ = try w.alice.ok(["send", b, "to be tampered with", "--wait"])
        let clean = try w.alice.run(["verify", w.store.path])
        #expect(clean.status == 0, "\(clean.stdout)\(clean.stderr)")
        #expect(clean.stdout.contains("room \(a)") && clean.stdout.contains("room \(b)"))
        #expect(clean.stdout.contains("2 room(s) verified: no integrity problem"))

        // Tamper with B's message body: the whole-store run must exit 1 and name B.
        let logs = w.store.appendingPathComponent("rooms/\(b)/logs")
        let files = GuardRailTests.tree(logs).filter { $0.key.hasSuffix(".jsonl") }
        let target = try #require(files.first { String(decoding: $0.value, as: UTF8.self).contains("to be tampered with") })
        let url = logs.appendingPathComponent(target.key)
        try Data(String(decoding: target.value, as: UTF8.self).replacingOccurrences(of: "to be tampered with", with: "to be tampered WITH").utf8).write(to: url)
        let tampered = try w.alice.run(["verify", w.store.path, "--json"])
        #expect(tampered.status == 1)
        let reports = try #require(try JSONSerialization.jsonObject(with: Data(tampered.stdout.utf8)) as? [[String: Any]])
        #expect(reports.compactMap { $0["room_id"] as? String }.sorted() == [a, b].sorted())
        let byName = try w.alice.run(["verify", w.store.path, "--room", "A"])
        #expect(byName.status == 0, "a room name works for --room too: \(byName.stderr)")
    }

    @Test func legacyRoomShowsOnceItsKeysAreTrusted() throws {
        let w = try world()
        defer { try? FileManager.default.removeItem(at: w.root) }
        var gen = CLIRunner()
        gen.environment = w.alice.cli.environment
        let made = try gen.run(["--out", w.store.path, "--room", "room_old", "--events", "12", "--senders", "1", "--devices-per-sender", "1"],
                               tool: "bucketchat-roomgen")
        #expect(made.status == 0, "\(made.stderr)")
        // Without creator_key the room reads as one made by another client.
        let metadataURL = w.store.appendingPathComponent("rooms/room_old/metadata.json")
        var metadata = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: metadataURL)) as? [String: Any])
        let key = try #require(metadata.removeValue(forKey: "creator_key") as? String)
        try JSONSerialization.data(withJSONObject: metadata).write(to: metadataURL)

        let unverified = try w.bob.run(["log", "room_old"])
        #expect(unverified.status == 1, "all events unverifiable is an error, not an empty room")
        #expect(unverified.stdout.isEmpty)
        #expect(unverified.stderr.contains("all 12 could not be verified"), "\(unverified.stderr)")
        #expect(unverified.stderr.contains("bucketchat keys trust SENDER_ID BASE64_KEY --room room_old"))

        let keys = w.root.appendingPathComponent("keys.json")
        try Data("{\"user:u0\": \"\(key)\"}".utf8).write(to: keys)
        let once = try w.bob.run(["log", "room_old", "--json", "--trusted-keys", keys.path])
        #expect(once.status == 0, "\(once.stderr)")
        #expect(once.stdout.split(separator: "\n").count == 12)

        _ = try w.bob.ok(["keys", "trust", "user:u0", key, "--room", "room_old"])
        #expect(try w.bob.ok(["log", "room_old", "--json"]).split(separator: "\n").count == 12)
        #expect(try w.bob.ok(["members", "room_old"]).contains("user:u0\tjoin\t"))
        #expect(try w.bob.ok(["members", "room_old"]).hasSuffix("\ttrusted locally"))
        let report = try #require(try JSONSerialization.jsonObject(with: Data(try w.bob.ok(["verify", w.store.path, "--room", "room_old", "--json"]).utf8)) as? [String: Any])
        #expect((report["accepted"] as? [Any])?.count == 12, "verify uses the keys trusted with `keys trust`")
        let other = try w.alice.run(["log", "room_old"])
        #expect(other.status == 1, "trust is per identity: alice trusts no key yet")

        let wrong = try w.bob.run(["keys", "trust", "user:u0", "not-a-key"])
        #expect(wrong.status == 2)
        #expect(wrong.stderr.contains("base64 of a 32-byte Ed25519 public key"))
    }
}

/// A room in the reference client's exact format (the fixture its own script
/// makes), read with the command line as a user would.
@Suite struct ReferenceRoomCommandTests {
    @Test func logShowsTheRoomOnceItsKeysAreTrustedAndSendIsRefused() throws {
        let root = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let fixture = CLIRunner.fixtures.appendingPathComponent("reference-room")
        let store = root.appendingPathComponent("store")
        try FileManager.default.createDirectory(at: store, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: fixture.appendingPathComponent("rooms"), to: store.appendingPathComponent("rooms"))
        let carol = ChatFlowTests().person("carol", root: root, store: store.path)
        _ = try carol.ok(["init", "--name", "carol"])

        let before = try carol.run(["log", "reference_room"])
        #expect(before.status == 1)
        #expect(before.stderr.contains("all 9 could not be verified"), "\(before.stderr)")
        let keys = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: fixture.appendingPathComponent("keys.json"))) as? [String: String])
        for (sender, key) in keys { _ = try carol.ok(["keys", "trust", sender, key]) }
        let log = try carol.ok(["log", "reference_room", "--json"])
        #expect(log.split(separator: "\n").count == 8, "every event but the typing one: \(log)")
        let text = try carol.ok(["log", "reference_room"])
        #expect(text.contains("alice@example.com (alice@example.com)\tjoin\tjoined"), "\(text)")
        #expect(text.contains("bob@example.com (bob@example.com)\treply\t5966eb44e0c6 Hi Alice — café at noon?"), "\(text)")
        #expect(text.contains("alice@example.com (alice@example.com)\tmsg\t[redacted]"), "\(text)")
        let members = try carol.ok(["members", "reference_room"])
        #expect(members.split(separator: "\n").count == 2 && members.split(separator: "\n").allSatisfy { $0.hasSuffix("\ttrusted locally") }, "\(members)")
        let info = try carol.ok(["room", "info", "reference_room", "--json"])
        #expect(info.contains("\"legacy\":true") && info.contains("\"integrity_ok\":true"), "\(info)")
        let verify = try carol.run(["verify", store.path, "--room", "reference_room"])
        #expect(verify.status == 0, "the user's trusted keys count for verify: \(verify.stdout)")
        #expect(verify.stdout.contains("warning: unchained"))

        let storeBefore = GuardRailTests.tree(store)
        let send = try carol.run(["send", "reference_room", "hello from bucketchat"])
        #expect(send.status == 1)
        #expect(send.stderr.contains("bucketchat reads it but does not write to it"), "\(send.stderr)")
        #expect(GuardRailTests.tree(store) == storeBefore)
    }
}
