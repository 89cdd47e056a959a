import Foundation
import Testing

/// `room create --private` through the command line: members read plaintext
/// in `log`, the store holds none, a kicked member's `log` shows what came
/// after as closed, and `verify` checks everything without keys and the
/// ciphertexts with `--key`.
@Suite struct PrivateRoomCLITests {
    struct Person {
        var cli: CLIRunner
        let home: URL

        func ok(_ arguments: [String]) throws -> String {
            let out = try cli.run(arguments)
            #expect(out.status == 0, "bucketchat \(arguments.joined(separator: " ")): \(out.stderr)")
            return out.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }

        func publicKey() throws -> String {
            let json = try ok(["keys", "show", "--json"])
            return try #require((try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: String])?["public_key"])
        }
    }

    @Test func membersReadKickedMemberDoesNotAndVerifyWorksWithAndWithoutKeys() throws {
        let root = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let store = root.appendingPathComponent("store").path
        func person(_ name: String) -> Person {
            var cli = CLIRunner()
            let home = root.appendingPathComponent(name)
            cli.environment["BUCKETCHAT_HOME"] = home.path
            cli.environment["BUCKETCHAT_STORE"] = store
            return Person(cli: cli, home: home)
        }
        let alice = person("alice"), bob = person("bob"), carol = person("carol")
        for (p, name) in [(alice, "alice"), (bob, "bob"), (carol, "carol")] { _ = try p.ok(["init", "--name", name]) }
        let room = try alice.ok(["room", "create", "Secrets", "--private", "--wait"])
        _ = try alice.ok(["invite", room, "user:bob", "--key", try bob.publicKey(), "--wait"])
        _ = try alice.ok(["invite", room, "user:carol", "--key", try carol.publicKey(), "--wait"])
        _ = try bob.ok(["join", room, "--wait"])
        _ = try carol.ok(["join", room, "--wait"])
        let first = try alice.ok(["send", room, "the first secret", "--wait"])
        _ = try bob.ok(["react", room, first, "🗝", "--wait"])
        _ = try alice.ok(["kick", room, "user:carol", "--wait"])
        let later = try alice.ok(["send", room, "after carol left", "--wait"])

        let bobLog = try bob.ok(["log", room])
        #expect(bobLog.contains("\(first)\tuser:alice (alice)\tmsg\tthe first secret"), "\(bobLog)")
        #expect(bobLog.contains("\(later)\tuser:alice (alice)\tmsg\tafter carol left"), "\(bobLog)")
        #expect(bobLog.contains("\treact\t\(first) 🗝"), "\(bobLog)")
        let carolLog = try carol.ok(["log", room])
        #expect(carolLog.contains("\tmsg\tthe first secret"), "\(carolLog)")
        #expect(carolLog.contains("\(later)\tuser:alice (alice)\tencrypted\tno key for epoch"), "\(carolLog)")
        #expect(!carolLog.contains("after carol left"))

        let bobInspects = try bob.ok(["inspect", room, later])
        #expect(bobInspects.contains("opened to m.room.message"), "\(bobInspects)")
        let carolInspects = try carol.ok(["inspect", room, later])
        #expect(carolInspects.contains("holds no key"), "\(carolInspects)")

        var everything = Data()
        let walker = FileManager.default.enumerator(atPath: store)
        while let relative = walker?.nextObject() as? String {
            if let data = FileManager.default.contents(atPath: store + "/" + relative) { everything += data }
        }
        let text = String(decoding: everything, as: UTF8.self)
        #expect(text.contains("m.room.encrypted"))
        for secret in ["first secret", "after carol left", "🗝", "\\ud83d\\udddd"] { #expect(!text.contains(secret), "\(secret) stored in plaintext") }

        let plain = try alice.cli.run(["verify", store, "--room", room])
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(plain.stdout.contains("content not checked"), "\(plain.stdout)")
        let keyFile = try #require(FileManager.default.enumerator(atPath: bob.home.path)?.allObjects.compactMap { $0 as? String }
            .first { $0.hasSuffix("device-key.json") }, "no key file under bob's home")
        let keyed = try alice.cli.run(["verify", store, "--room", room, "--key", bob.home.appendingPathComponent(keyFile).path])
        #expect(keyed.status == 0, "\(keyed.stderr)")
        #expect(keyed.stdout.contains(" did not open") && keyed.stdout.contains("0 did not open"), "\(keyed.stdout)")
    }
}
