import Foundation
import Testing

/// A shell in a tmux session of its own (its own server socket, in the
/// test's folder: the test stops the server with `kill-server` on that
/// socket), driven as a person would: keys in (`send-keys`), the screen out
/// (`capture-pane`). Every wait polls the screen against a deadline.
final class TmuxPane {
    static var available: Bool {
        ["/usr/bin/tmux", "/usr/local/bin/tmux", "/bin/tmux"].contains { FileManager.default.isExecutableFile(atPath: $0) }
    }

    let socket: String
    let target = "chat"

    /// Starts `bash` (no rc files, prompt `$ `: set in the command, since the
    /// bash that starts tmux unsets PS1 from the environment) in a `columns`×`rows` pane with `environment`.
    init(environment: [String: String], folder: URL, columns: Int = 150, rows: Int = 30) throws {
        socket = folder.appendingPathComponent("tmux-\(UUID().uuidString.prefix(8))").path
        var environment = environment
        environment["LANG"] = "C.UTF-8"
        environment["BUCKETCHAT"] = CLIRunner.products.appendingPathComponent("bucketchat").path
        environment.removeValue(forKey: "TMUX")
        let started = try TmuxPane.startServer(["-u", "-S", socket, "-f", "/dev/null", "new-session", "-d", "-s", target, "-x", "\(columns)", "-y", "\(rows)",
                                                "env PS1='$ ' bash --norc --noprofile"], environment: environment)
        #expect(started.status == 0, "tmux new-session: \(started.stderr)")
        // The size holds even with no client attached.
        _ = try? run(["set-option", "-t", target, "window-size", "manual"])
    }


    @discardableResult
    func run(_ arguments: [String]) throws -> CLIRunner.Output {
        try TmuxPane.tmux(["-u", "-S", socket] + arguments, environment: [:])
    }

    /// Types text as it is (no key names).
    func type(_ text: String) throws {
        try run(["send-keys", "-t", target, "-l", text])
    }

    /// Presses keys by tmux's names: Enter, Left, Home, C-u, Up, Tab...
    func press(_ keys: String...) throws {
        try run(["send-keys", "-t", target] + keys)
    }

    /// Runs a shell command line in the pane.
    func shell(_ line: String) throws {
        try type(line)
        try press("Enter")
    }

    /// The screen as text (what is visible now).
    func screen() throws -> String {
        try run(["capture-pane", "-p", "-t", target]).stdout
    }

    /// A format variable of the pane: `#{alternate_on}`, `#{cursor_x}`, `#{pane_title}`.
    func value(_ format: String) throws -> String {
        try run(["display-message", "-p", "-t", target, format]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Waits until the screen satisfies `condition`; fails with the screen if
    /// it never does. Waits by suspending, not by blocking a thread: the
    /// suites running beside this one share a small pool of them.
    @discardableResult
    func waitFor(_ what: String, timeout: TimeInterval = 60, _ condition: (String) -> Bool) async throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            last = try screen()
            if condition(last) { return last }
            try await Task.sleep(for: .milliseconds(250))
        }
        Issue.record("waited \(Int(timeout)) s for \(what); the screen:\n\(last)")
        throw TmuxTimeout()
    }

    /// Waits until the screen shows `text`.
    @discardableResult
    func waitFor(_ text: String, timeout: TimeInterval = 60) async throws -> String {
        try await waitFor("\"\(text)\"", timeout: timeout) { $0.contains(text) }
    }

    /// The screen's last line that is not blank.
    static func lastLine(_ screen: String) -> String {
        screen.split(separator: "\n").last { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.map(String.init) ?? ""
    }

    struct TmuxTimeout: Error {}

    /// Runs a tmux command that talks to a running server.
    static func tmux(_ arguments: [String], environment: [String: String]) throws -> CLIRunner.Output {
        var runner = CLIRunner()
        if !environment.isEmpty { runner.environment = environment }
        return try runner.run(tool: URL(fileURLWithPath: "/usr/bin/env"), ["tmux"] + arguments)
    }

    /// Starts a tmux server as a shell would: with no descriptor but stdin,
    /// stdout and stderr (the server would otherwise keep the socket
    /// Foundation's Process watches for this child's end, and the call would
    /// wait for the server), no signal blocked and the usual ones at their
    /// default action (the test runner's threads block most signals, and the
    /// server and its shells would inherit that: no SIGHUP would reach a pane
    /// at kill-server, no SIGINT a program in it).
    static func startServer(_ arguments: [String], environment: [String: String]) throws -> CLIRunner.Output {
        var runner = CLIRunner()
        runner.environment = environment
        let python = "/usr/bin/python3"
        if FileManager.default.isExecutableFile(atPath: python) {
            let asAShell = """
                import os, signal, sys
                signal.pthread_sigmask(signal.SIG_SETMASK, [])
                for s in (signal.SIGHUP, signal.SIGINT, signal.SIGQUIT, signal.SIGPIPE, signal.SIGTERM): signal.signal(s, signal.SIG_DFL)
                os.closerange(3, 65536)
                os.execvp("tmux", ["tmux"] + sys.argv[1:])
                """
            return try runner.run(tool: URL(fileURLWithPath: python), ["-c", asAShell] + arguments)
        }
        let closeAndRun = #"for fd in $(ls /proc/$$/fd); do [ "$fd" -gt 2 ] && eval "exec $fd>&-" 2>/dev/null; done; exec tmux "$@""#
        return try runner.run(tool: URL(fileURLWithPath: "/bin/bash"), ["-c", closeAndRun, "tmux"] + arguments)
    }
}
