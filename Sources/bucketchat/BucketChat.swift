import ArgumentParser
import ChatProtocol
import Foundation

/// The `bucketchat` command line.
struct BucketChat: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bucketchat",
        abstract: "Serverless chat whose rooms live in an object-storage bucket.",
        discussion: """
            Rooms are write-once logs of signed, hash-chained events in a bucket or a local \
            folder. Every reader verifies every event.

            Exit status: 0 on success, 1 when verification finds an integrity problem, \
            2 for usage and I/O errors.
            """,
        subcommands: [Keys.self, Verify.self]
    )
}

@main
enum Main {
    static func main() async {
        do {
            var command = try BucketChat.parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as CLIError {
            FileHandle.standardError.write(Data("bucketchat: \(error.message)\n".utf8))
            exit(2)
        } catch let error as ProtocolError {
            FileHandle.standardError.write(Data("bucketchat: \(error.message)\n".utf8))
            exit(2)
        } catch {
            let code = BucketChat.exitCode(for: error)
            if code.isSuccess { BucketChat.exit(withError: error) }
            let message = BucketChat.fullMessage(for: error)
            if !message.isEmpty { FileHandle.standardError.write(Data((message + "\n").utf8)) }
            // Usage errors exit 2, as --help promises; ArgumentParser's default is 64.
            exit(code == .validationFailure ? 2 : code.rawValue)
        }
    }
}
