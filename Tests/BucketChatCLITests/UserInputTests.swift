import Foundation
import Testing

/// Issue 13, "nothing a user types damages a room", on the command line:
/// bytes that are not UTF-8, and arguments shaped like the `ctl` grammar.
@Suite struct UserInputTests {
    /// One identity with a room in a folder store; `cli` runs as it.
    func alice() throws -> (cli: CLIRunner, room: String, root: URL) {
        let root = try CLIRunner.temporaryDirectory()
        var cli = CLIRunner()
        cli.environment["BUCKETCHAT_HOME"] = root.appendingPathComponent("alice").path
        cli.environment["BUCKETCHAT_STORE"] = root.appendingPathComponent("store").path
        #expect(try cli.run(["init", "--name", "alice"]).status == 0)
        let made = try cli.run(["room", "create", "Lobby", "--wait"])
        #expect(made.status == 0, "\(made.stderr)")
        return (cli, made.stdout.trimmingCharacters(in: .whitespacesAndNewlines), root)
    }

    @Test func sendRefusesTextThatIsNotUTF8() throws {
        let (cli, room, root) = try alice()
        defer { try? FileManager.default.removeItem(at: root) }
        let argument = try cli.shell("\"$BUCKETCHAT\" send \(room) $'caf\\xe9'")
        #expect(argument.status == 2, "\(argument.stdout) \(argument.stderr)")
        #expect(argument.stderr.contains("argument 3") && argument.stderr.contains("not valid UTF-8"), "\(argument.stderr)")
        let urandom = try cli.shell("head -c 2048 /dev/urandom | \"$BUCKETCHAT\" send \(room)")
        #expect(urandom.status == 2, "\(urandom.stdout) \(urandom.stderr)")
        #expect(urandom.stderr.contains("of stdin is not valid UTF-8"), "\(urandom.stderr)")
        let stdin = try cli.shell("printf 'fine\\n\\xff\\xfe\\nnever\\n' | \"$BUCKETCHAT\" send \(room)")
        #expect(stdin.status == 2)
        #expect(stdin.stderr.contains("line 2 of stdin is not valid UTF-8; the 1 line(s) before it were sent"), "\(stdin.stderr)")
        let topic = try cli.shell("\"$BUCKETCHAT\" topic \(room) $'\\xc0\\xaf'")
        #expect(topic.status == 2, "every command checks its arguments: \(topic.stderr)")
        let log = try cli.run(["log", room])
        #expect(log.status == 0)
        #expect(!log.stdout.contains("\u{FFFD}") && !log.stdout.contains("\\u{fffd}"), "no replacement character was signed: \(log.stdout)")
        #expect(log.stdout.contains("\tmsg\tfine\n") && !log.stdout.contains("never"), "\(log.stdout)")
    }
}

extension UserInputTests {
    /// `redact ROOM REF REASON` was refused ("Unexpected argument") while
    /// `ctl` takes `redact REF [REASON]`; kick, ban, invite's KEY, name and
    /// topic differed the same way. The CLI now takes what `ctl` takes.
    @Test func actionCommandsTakeTheirArgumentsAsTheCtlFileDoes() throws {
        let (cli, room, root) = try alice()
        defer { try? FileManager.default.removeItem(at: root) }
        func ok(_ arguments: [String]) throws -> String {
            let out = try cli.run(arguments)
            #expect(out.status == 0, "bucketchat \(arguments.joined(separator: " ")): \(out.stderr)")
            return out.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let oops = try ok(["send", room, "oops"])
        _ = try ok(["redact", room, oops, "a", "typo"])
        let again = try ok(["send", room, "again"])
        _ = try ok(["redact", room, again, "--reason", "still works"])
        let both = try cli.run(["redact", room, again, "twice", "--reason", "twice"])
        #expect(both.status == 2 && both.stderr.contains("give the reason once"), "\(both.stderr)")
        _ = try ok(["topic", room, "launch", "plans"])
        _ = try ok(["name", room, "Lunch", "crew"])
        let keyJSON = try ok(["keys", "show", "--json"])
        let key = try #require((try JSONSerialization.jsonObject(with: Data(keyJSON.utf8)) as? [String: String])?["public_key"])
        _ = try ok(["invite", room, "user:bob", key])
        _ = try ok(["kick", room, "user:bob", "not", "today"])
        _ = try ok(["invite", room, "user:carol"])
        _ = try ok(["ban", room, "user:carol", "--reason", "spam"])
        let log = try ok(["log", room])
        for line in ["redact\t\(oops) a typo", "redact\t\(again) still works", "topic\tlaunch plans", "name\tLunch crew", "not today"] {
            #expect(log.contains(line), "\(line) in \(log)")
        }
        let members = try ok(["members", room])
        #expect(members.contains("user:bob\tkick") || members.contains("user:bob\tleave"), "\(members)")
    }

    /// `keys show` before `init` said to run `keys generate`; everything else says init.
    @Test func keysShowBeforeInitSaysToRunInit() throws {
        let root = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        var cli = CLIRunner()
        cli.environment["BUCKETCHAT_HOME"] = root.path
        let show = try cli.run(["keys", "show"])
        #expect(show.status == 2)
        #expect(show.stderr.contains("run `bucketchat init --name NAME` first") && !show.stderr.contains("keys generate"), "\(show.stderr)")
        let send = try cli.run(["send", "room_x", "hi"])
        #expect(send.stderr.contains("run `bucketchat init --name NAME` first"), "\(send.stderr)")
    }

    /// Help texts say what the code does: one default shown once, the
    /// umount timings, the one order in which the store is chosen.
    @Test func helpTextsAgreeWithTheCode() throws {
        let cli = CLIRunner()
        func help(_ arguments: [String]) throws -> String {
            let out = try cli.run(arguments + ["--help"])
            #expect(out.status == 0)
            // ArgumentParser wraps lines: compare with single spaces.
            return out.stdout.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
        }
        let send = try help(["send"])
        #expect(!send.contains("(default 3)") && send.contains("(default: 3.0)"), "\(send)")
        let umount = try help(["umount"])
        #expect(umount.contains("up to 30 s for its daemon to exit") && umount.contains("for up to 10 s"), "\(umount)")
        let order = "$BUCKETCHAT_STORE, else `store` in config.toml, else the local store"
        #expect(send.contains(order), "\(send)")
        #expect(try help(["mount"]).contains(order))
        #expect(try help([]).contains("The store is the first of: --store, $BUCKETCHAT_STORE, `store` in config.toml, the local store"))
        let readme = try String(contentsOf: CLIRunner.fixtures.appendingPathComponent("../../../README.md").standardizedFileURL, encoding: .utf8)
        #expect(readme.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
            .contains("the first of these wins: `--store`, `$BUCKETCHAT_STORE`, `store` in config.toml"))
    }
}
