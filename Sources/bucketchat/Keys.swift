import ArgumentParser
import ChatProtocol
import Foundation

/// `bucketchat keys`: the device's Ed25519 key.
struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create and show this device's signing key.",
        subcommands: [Generate.self, Show.self]
    )

    struct KeyFileOption: ParsableArguments {
        @Option(name: .customLong("key-file"), help: ArgumentHelp(
            "The secret key file (default: $BUCKETCHAT_HOME/device-key.json, else $XDG_CONFIG_HOME/bucketchat/device-key.json).",
            valueName: "path"))
        var path: String?

        var resolved: String { path ?? Paths.defaultKeyFile }
    }

    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate a new device key and write it with mode 0600.",
            discussion: "Never overwrites an existing key file: losing a key loses the identity's chain."
        )

        @Option(help: "Your name; the identity becomes user:NAME (default: $USER).")
        var name: String?

        @Option(name: .customLong("sender-id"), help: "A full sender id instead, e.g. alice@example.com.")
        var senderID: String?

        @OptionGroup var keyFile: KeyFileOption

        func run() async throws {
            let sender: String
            if let senderID {
                sender = senderID
            } else {
                let user = name ?? ProcessInfo.processInfo.environment["USER"] ?? "me"
                sender = "user:\(user)"
            }
            guard SenderID.isValid(sender) else {
                throw CLIError("\"\(sender)\" is not a valid sender id: 1 to 255 characters without control characters")
            }
            let path = keyFile.resolved
            if FileManager.default.fileExists(atPath: path) {
                throw CLIError("key file \(path) exists; keys are never overwritten (use --key-file for another)")
            }
            try Paths.makePrivateDirectory((path as NSString).deletingLastPathComponent)
            let key = try SigningKey.generate()
            let created = ISO8601DateFormatter().string(from: Date())
            try KeyFile(senderID: sender, key: key, createdAt: created).save(path: path)
            print("sender_id:  \(sender)")
            print("public_key: \(key.publicKey.base64)")
            print("key file:   \(path) (mode 0600)")
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print this device's sender id and public key.")

        @Flag(help: "Print one JSON object with sender_id and public_key.")
        var json = false

        @OptionGroup var keyFile: KeyFileOption

        func run() async throws {
            let file = try KeyFile.load(path: keyFile.resolved)
            if json {
                let object = JSONObject([("sender_id", .string(file.senderID)), ("public_key", .string(file.key.publicKey.base64))])
                print(String(decoding: CanonicalJSON.encode(.object(object)), as: UTF8.self))
            } else {
                print("sender_id:  \(file.senderID)")
                print("public_key: \(file.key.publicKey.base64)")
            }
        }
    }
}
