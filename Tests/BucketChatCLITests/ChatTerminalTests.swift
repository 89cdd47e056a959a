import Foundation
import Testing

/// `bucketchat chat` on a real terminal: tmux panes, keys sent, screens read,
/// one test at a time (each runs a few chats and shells).
/// Two identities (each its own BUCKETCHAT_HOME) share a local folder store
/// and a room, Lunch, both joined.
@Suite(.serialized, .enabled(if: TmuxPane.available, "needs tmux (scripts/install-deps.sh installs it)"))
struct ChatTerminalTests {
    struct World {
        let root: URL
        let alice: CLIRunner
        let bob: CLIRunner
        let room: String

        /// Stops every tmux server started under the folder (their sockets
        /// are there), then removes it.
        func remove() {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? [] where name.hasPrefix("tmux-") {
                _ = try? TmuxPane.tmux(["-S", root.appendingPathComponent(name).path, "kill-server"], environment: [:])
            }
            try? FileManager.default.removeItem(at: root)
        }
    }

    static func ok(_ cli: CLIRunner, _ arguments: [String]) throws -> String {
        let out = try cli.run(arguments)
        #expect(out.status == 0, "bucketchat \(arguments.joined(separator: " ")): \(out.stderr)")
        return out.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func world() throws -> World {
        let root = try CLIRunner.temporaryDirectory()
        func person(_ name: String) -> CLIRunner {
            var cli = CLIRunner()
            cli.environment["BUCKETCHAT_HOME"] = root.appendingPathComponent(name).path
            cli.environment["BUCKETCHAT_STORE"] = root.appendingPathComponent("store").path
            return cli
        }
        let alice = person("alice"), bob = person("bob")
        _ = try ok(alice, ["init", "--name", "alice"])
        _ = try ok(bob, ["init", "--name", "bob"])
        let room = try ok(alice, ["room", "create", "Lunch", "--wait"])
        let keys = try ok(bob, ["keys", "show", "--json"])
        let bobKey = try #require((try JSONSerialization.jsonObject(with: Data(keys.utf8)) as? [String: String])?["public_key"])
        _ = try ok(alice, ["invite", room, "user:bob", "--key", bobKey, "--wait"])
        _ = try ok(bob, ["join", room, "--wait"])
        return World(root: root, alice: alice, bob: bob, room: room)
    }

    /// Starts the chat in a pane and waits until the room has loaded.
    static func chat(_ cli: CLIRunner, in world: World, room: String = "Lunch") async throws -> TmuxPane {
        let pane = try TmuxPane(environment: cli.environment, folder: world.root)
        try pane.shell("\"$BUCKETCHAT\" chat \(room)")
        try await pane.waitFor("the room loaded") { $0.contains("[\(room)]") && !$0.contains("loading") }
        return pane
    }

    /// The REF of the first line of `log` holding `text`.
    static func ref(of text: String, in log: String) throws -> String {
        let line = try #require(log.split(separator: "\n").first { $0.hasSuffix("\t" + text) }, "no line \(text) in:\n\(log)")
        return String(line.split(separator: "\t")[1])
    }

    @Test func twoIdentitiesChatBothWays() async throws {
        let world = try Self.world()
        defer { world.remove() }
        // Bob is in a second room too: its unread messages show in his status row.
        let dinner = try Self.ok(world.alice, ["room", "create", "Dinner", "--wait"])
        let keys = try Self.ok(world.bob, ["keys", "show", "--json"])
        let bobKey = try #require((try JSONSerialization.jsonObject(with: Data(keys.utf8)) as? [String: String])?["public_key"])
        _ = try Self.ok(world.alice, ["invite", dinner, "user:bob", "--key", bobKey, "--wait"])
        _ = try Self.ok(world.bob, ["join", dinner, "--wait"])

        let alice = try await Self.chat(world.alice, in: world)
        let bob = try await Self.chat(world.bob, in: world)
        try alice.type("hello bob, lunch at noon?")
        try alice.press("Enter")
        try await bob.waitFor("alice: hello bob, lunch at noon?")
        try bob.type("sounds good 👍 你好")
        try bob.press("Enter")
        try await alice.waitFor("bob: sounds good 👍 你好")

        // A reaction: the command and the REF completed with Tab.
        let ref = try Self.ref(of: "hello bob, lunch at noon?", in: try Self.ok(world.bob, ["log", world.room]))
        try bob.type("/rea")
        try bob.press("Tab")
        try await bob.waitFor("the command completed") { TmuxPane.lastLine($0) == "> /react" }
        try bob.type(String(ref.prefix(8)))
        try bob.press("Tab")
        try await bob.waitFor("the REF completed") { TmuxPane.lastLine($0).contains("/react \(ref)") }
        try bob.type("🎉")
        try bob.press("Enter")
        try await alice.waitFor("bob react \(ref) 🎉")

        // A message in the other room, naming bob: counted unread, marked as a mention.
        _ = try Self.ok(world.alice, ["send", dinner, "bob: dinner too?", "--wait"])
        try await bob.waitFor("Dinner 1!")
        // /join shows it, and the count goes.
        try bob.type("/join Dinner")
        try bob.press("Enter")
        try await bob.waitFor("alice: bob: dinner too?")
        try await bob.waitFor("the count cleared") { !$0.contains("Dinner 1!") && $0.contains("[Dinner]") }

        let aliceLog = try Self.ok(world.alice, ["log", world.room])
        #expect(aliceLog.contains("\tuser:bob (bob)\tmsg\tsounds good 👍 你好"))
        #expect(aliceLog.contains("\tuser:bob (bob)\treact\t\(ref) 🎉"))
        try alice.type("/quit")
        try alice.press("Enter")
        try bob.press("C-c")
        try await alice.waitFor("the shell") { TmuxPane.lastLine($0) == "$" }
        try await bob.waitFor("the shell") { TmuxPane.lastLine($0) == "$" }
    }

    @Test func lineEditingAndHistory() async throws {
        let world = try Self.world()
        defer { world.remove() }
        let alice = try await Self.chat(world.alice, in: world)
        // A letter inserted in the middle, a character added at the end.
        try alice.type("helo world")
        try alice.press("Home", "Right", "Right", "Right")
        try alice.type("l")
        try alice.press("End")
        try alice.type("!")
        try await alice.waitFor("the edited line") { TmuxPane.lastLine($0) == "> hello world!" }
        try alice.press("Enter")
        try await alice.waitFor("alice: hello world!")
        // Ctrl-U empties the line; Up brings the last one back; Ctrl-W takes its last word.
        try alice.type("scratch that")
        try alice.press("C-u")
        try await alice.waitFor("an empty line") { TmuxPane.lastLine($0) == ">" }
        try alice.press("Up")
        try await alice.waitFor("the recalled line") { TmuxPane.lastLine($0) == "> hello world!" }
        try alice.press("C-w")
        try alice.type("again")
        try alice.press("Enter")
        try await alice.waitFor("alice: hello again")
        // Wide characters: the cursor moves by characters and is drawn at the right column.
        try alice.type("你好👍")
        try alice.press("Left")
        try alice.type("x")
        try await alice.waitFor("the wide line") { TmuxPane.lastLine($0) == "> 你好x👍" }
        #expect(try alice.value("#{cursor_x}") == "7", "prompt 2 + 你好 4 + x 1")
        try alice.press("Enter")
        try await alice.waitFor("alice: 你好x👍")
        // A paste of two lines is one message.
        try alice.run(["set-buffer", "-b", "p", "first line\nsecond line"])
        try alice.run(["paste-buffer", "-p", "-b", "p", "-t", alice.target])
        try await alice.waitFor("the pasted line") { TmuxPane.lastLine($0) == "> first line↵second line" }
        try alice.press("Enter")
        try await alice.waitFor("alice: first line\\nsecond line")

        // Ctrl-D on an empty line quits, once the journal is uploaded.
        try alice.press("C-d")
        try await alice.waitFor("the shell") { TmuxPane.lastLine($0) == "$" }
        let log = try Self.ok(world.alice, ["log", world.room])
        for body in ["hello world!", "hello again", "你好x👍", "first line\\nsecond line"] {
            #expect(log.contains("\tmsg\t\(body)"), "\(body) in\n\(log)")
        }
    }

    @Test func aHostileBodyRendersInert() async throws {
        let world = try Self.world()
        defer { world.remove() }
        let alice = try await Self.chat(world.alice, in: world)
        // Clear the screen, set the window title, reverse the text, hide a character.
        let hostile = "evil \u{1B}[2J\u{1B}]0;pwned\u{07} \u{202E}txet desrever\u{202C} zero\u{200B}width"
        _ = try Self.ok(world.bob, ["send", world.room, hostile, "--wait"])
        let screen = try await alice.waitFor("evil \\u{1b}[2J\\u{1b}]0;pwned\\u{7} \\u{202e}txet desrever\\u{202c} zero\\u{200b}width")
        #expect(screen.contains("[Lunch]"), "the screen was not cleared")
        #expect(try alice.value("#{pane_title}") != "pwned")
        try alice.press("C-c")
        try await alice.waitFor("the shell") { TmuxPane.lastLine($0) == "$" }
    }

    @Test func aForgeryIsAnAlertNotAMessage() async throws {
        let world = try Self.world()
        defer { world.remove() }
        let alice = try await Self.chat(world.alice, in: world)
        _ = try Self.ok(world.bob, ["send", world.room, "the real words", "--wait"])
        try await alice.waitFor("bob: the real words")
        // The same event in another object with other words: bob's signature no longer matches them.
        let logs = world.root.appendingPathComponent("store/rooms/\(world.room)/logs")
        let files = try #require(FileManager.default.enumerator(at: logs, includingPropertiesForKeys: nil)?.allObjects as? [URL])
        let real = try #require(files.first { (try? String(contentsOf: $0, encoding: .utf8))?.contains("the real words") == true })
        var name = real.deletingPathExtension().lastPathComponent.split(separator: "_").map(String.init)
        name[1] = String(try #require(Int64(name[1])) - 1)
        let forged = real.deletingLastPathComponent().appendingPathComponent(name.joined(separator: "_") + ".jsonl")
        try String(contentsOf: real, encoding: .utf8).replacingOccurrences(of: "the real words", with: "forged words")
            .write(to: forged, atomically: true, encoding: .utf8)
        let screen = try await alice.waitFor("! rejected bad_signature")
        #expect(!screen.contains("forged words"), "never shown as a message")
        #expect(screen.contains("bob: the real words"))
        try alice.press("C-c")
        try await alice.waitFor("the shell") { TmuxPane.lastLine($0) == "$" }
    }

    @Test func quittingGivesTheTerminalBack() async throws {
        let world = try Self.world()
        defer { world.remove() }
        let pane = try TmuxPane(environment: world.alice.environment, folder: world.root)
        try pane.shell("echo before-the-chat")
        try await pane.waitFor("before-the-chat\n$")
        let sane = "stty -a | tr ' ;' '\\n\\n' | grep -x -e icanon -e echo -e isig -e icrnl | sort | tr '\\n' ' '; echo"
        for (how, keys) in [("/quit", ["/quit", "Enter"]), ("Ctrl-C", ["C-c"]), ("Ctrl-D", ["C-d"])] {
            try pane.shell("clear; echo before-the-chat")
            try pane.shell("\"$BUCKETCHAT\" chat Lunch")
            try await pane.waitFor("the chat (\(how))") { $0.contains("[Lunch]") && !$0.contains("loading") }
            #expect(try pane.value("#{alternate_on}") == "1")
            if keys.first == "/quit" {
                try pane.type("/quit")
                try pane.press("Enter")
            } else {
                try pane.press(keys[0])
            }
            try await pane.waitFor("the shell after \(how)") { TmuxPane.lastLine($0) == "$" && $0.contains("before-the-chat") }
            #expect(try pane.value("#{alternate_on}") == "0", "\(how)")
            try pane.shell(sane)
            try await pane.waitFor("the terminal's modes after \(how)") { $0.split(separator: "\n").contains("echo icanon icrnl isig") }
        }
        // A crash signal: the terminal is given back, then the process dies of
        // the signal (after the Swift runtime's backtrace, not waiting for a key).
        try pane.shell("clear; echo before-the-chat")
        try pane.shell("SWIFT_BACKTRACE=interactive=no \"$BUCKETCHAT\" chat Lunch; echo exit=$?")
        try await pane.waitFor("the chat (SIGSEGV)") { $0.contains("[Lunch]") && !$0.contains("loading") }
        let shell = try pane.value("#{pane_pid}")
        let killed = try world.alice.shell("kill -SEGV $(pgrep -P \(shell))")
        #expect(killed.status == 0, "\(killed.stderr)")
        try await pane.waitFor("exit=139", timeout: 90)
        #expect(try pane.value("#{alternate_on}") == "0")
        // SIGTERM quits in order.
        try pane.shell("clear; echo before-the-chat")
        try pane.shell("\"$BUCKETCHAT\" chat Lunch; echo exit=$?")
        try await pane.waitFor("the chat (SIGTERM)") { $0.contains("[Lunch]") && !$0.contains("loading") }
        _ = try world.alice.shell("kill -TERM $(pgrep -P \(shell))")
        try await pane.waitFor("exit=0")
        #expect(try pane.value("#{alternate_on}") == "0")
    }

    @Test func lineModeThroughAPipe() async throws {
        let world = try Self.world()
        defer { world.remove() }
        _ = try Self.ok(world.bob, ["send", world.room, "anyone hungry?", "--wait"])
        let sent = try world.alice.shell("printf 'me!\\n/who\\n' | \"$BUCKETCHAT\" chat Lunch")
        #expect(sent.status == 0, "\(sent.stderr)")
        // The history first (in the timeline's format), then what was sent, then /who's answer.
        #expect(sent.stdout.contains("\tuser:bob (bob)\tmsg\tanyone hungry?\n"), "\(sent.stdout)")
        #expect(sent.stdout.contains("\tuser:alice (alice)\tmsg\tme!\n"), "\(sent.stdout)")
        #expect(sent.stdout.contains("user:bob (bob) join"), "\(sent.stdout)")
        #expect(!sent.stdout.contains("\u{1B}"), "no escape sequence in line mode")
        #expect(try Self.ok(world.bob, ["log", world.room]).contains("\tuser:alice (alice)\tmsg\tme!"), "uploaded before the exit")
        // A reaction by REF; a refused line is said on stderr and the exit status is 1.
        let ref = try Self.ref(of: "anyone hungry?", in: try Self.ok(world.alice, ["log", world.room]))
        let mixed = try world.alice.shell("printf '/react \(ref) 👍\\n/edit \(ref) not yours\\n' | \"$BUCKETCHAT\" chat Lunch --lines 1")
        #expect(mixed.status == 1)
        #expect(mixed.stdout.contains("\treact\t\(ref) 👍\n"), "\(mixed.stdout)")
        #expect(mixed.stderr.contains("bucketchat: "), "\(mixed.stderr)")
        #expect(mixed.stdout.split(separator: "\n").count == 2, "one history line, then the reaction: \(mixed.stdout)")
    }

    @Test func otherCommandsActThroughARunningChat() async throws {
        let world = try Self.world()
        defer { world.remove() }
        let alice = try await Self.chat(world.alice, in: world)
        // The chat owns alice's rooms: a send, and a second chat in line mode, go through it.
        _ = try Self.ok(world.alice, ["send", world.room, "sent beside the chat"])
        try await alice.waitFor("alice: sent beside the chat")
        let piped = try world.alice.shell("printf 'piped beside the chat\\n' | \"$BUCKETCHAT\" chat Lunch --lines 0")
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(piped.stdout.contains("\tmsg\tpiped beside the chat"), "\(piped.stdout)")
        try await alice.waitFor("alice: piped beside the chat")
        try alice.press("C-c")
        try await alice.waitFor("the shell") { TmuxPane.lastLine($0) == "$" }
        #expect(try Self.ok(world.bob, ["log", world.room]).contains("\tmsg\tpiped beside the chat"))
    }
}
