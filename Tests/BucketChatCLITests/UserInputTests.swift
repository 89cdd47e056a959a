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
