import ArgumentParser
import ChatEngine
import ChatProtocol
import Foundation
import ObjectStore

/// The `bucketchat` command line.
struct BucketChat: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bucketchat",
        abstract: "Serverless chat whose rooms live in an object-storage bucket.",
        discussion: """
            Rooms are write-once logs of signed, hash-chained events in a bucket or a local \
            folder. Every reader verifies every event.

            Start with `bucketchat init --name NAME`, then `bucketchat room create NAME`. \
            Settings are in config.toml in $XDG_CONFIG_HOME/bucketchat ($BUCKETCHAT_HOME if set). \
            The store is the first of: --store, $BUCKETCHAT_STORE, `store` in config.toml, the \
            local store (~/.local/share/bucketchat/store).

            -v or --verbose (repeatable, with any command) logs every store request (operation, \
            key, outcome, bytes, time) and each sync decision to stderr; -vv also polls that found \
            nothing. Without it the level is `log_level` in config.toml (trace, debug, info, \
            notice, warning, error, critical), else warning.

            Exit status: 0 on success; 1 when an action fails (the room's rules forbid it, the \
            store refuses) or verification finds an integrity problem; 2 for usage and local I/O errors.
            """,
        subcommands: [
            Init.self, RoomCommand.self, Invite.self, Join.self, Leave.self, Kick.self, Ban.self, Name.self, Topic.self,
            Send.self, Chat.self, Files.self, Download.self, Reply.self, React.self, Edit.self, Redact.self, Log.self, Follow.self, Members.self, Flush.self,
            Keys.self, Verify.self, Inspect.self, StoreCommand.self, Mount.self, Unmount.self, Serve.self,
        ]
    )
}

@main
enum Main {
    static func main() async {
        HeapTuning.apply()
        do {
            try RawArguments.requireUTF8()
            let (arguments, verbosity) = Verbosity.split(Array(CommandLine.arguments.dropFirst()))
            Verbosity.bootstrap(Verbosity.level(count: verbosity, configured: (try? ConfigFile(path: Paths.configFile, warn: false))?["log_level"]))
            var command = try BucketChat.parseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as CLIError {
            fail(error.message, status: 2)
        } catch let error as ProtocolError {
            fail(error.message, status: 2)
        } catch let error as EngineError {
            fail(error.message, status: 1)
        } catch let error as StoreError {
            fail(error.message, status: 1)
        } catch {
            let code = BucketChat.exitCode(for: error)
            if code.isSuccess { BucketChat.exit(withError: error) }
            let message = BucketChat.fullMessage(for: error)
            if !message.isEmpty { FileHandle.standardError.write(Data((message + "\n").utf8)) }
            // Usage errors exit 2, as --help promises; ArgumentParser's default is 64.
            exit(code == .validationFailure ? 2 : code.rawValue)
        }
    }

    /// Local usage and I/O problems exit 2; a refused action or an unreachable store exits 1.
    static func fail(_ message: String, status: Int32) -> Never {
        FileHandle.standardError.write(Data("bucketchat: \(message)\n".utf8))
        exit(status)
    }
}
