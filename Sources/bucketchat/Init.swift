import ArgumentParser
import ChatProtocol
import Foundation

/// `bucketchat init`: this device's identity and settings.
struct Init: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Set up this device: an identity (user:NAME), its key, and config.toml.",
        discussion: """
            Writes the key to device-key.json (mode 0600) and the settings to config.toml in \
            $XDG_CONFIG_HOME/bucketchat (or $BUCKETCHAT_HOME). Running it again with the same \
            name changes nothing; keys are never overwritten.
            """
    )

    @Option(help: "Your name: the identity becomes user:NAME.")
    var name: String

    @Option(name: .customLong("display-name"), help: "The name others see (default: NAME).")
    var displayName: String?

    @Option(help: ArgumentHelp("The store rooms live in by default (a folder, s3://… or gs://…).", valueName: "url"))
    var store: String?

    func run() async throws {
        let sender = "user:\(name)"
        guard SenderID.isValid(sender), !name.contains(" ") else {
            throw CLIError("\"\(name)\" cannot be a name: use 1 to 250 characters without spaces or control characters")
        }
        try Paths.makePrivateDirectory(Paths.configDirectory)
        var config = try ConfigFile(path: Paths.configFile)
        let keyPath = config["key_file"] ?? Paths.defaultKeyFile
        if FileManager.default.fileExists(atPath: keyPath) {
            let existing = try KeyFile.load(path: keyPath)
            guard existing.senderID == sender else {
                throw CLIError("this device is already set up as \(existing.senderID) (\(keyPath)); use another BUCKETCHAT_HOME for a second identity")
            }
        } else {
            let key = try SigningKey.generate()
            try KeyFile(senderID: sender, key: key, createdAt: ISO8601DateFormatter().string(from: Date())).save(path: keyPath)
        }
        if config["client_id"] == nil {
            let suffix = RandomBytes.make(3).map { String(format: "%02x", $0) }.joined()
            let base = String(name.unicodeScalars.filter { RoomID.isValid(String($0)) }.prefix(40))
            config["client_id"] = "\(base.isEmpty ? "device" : base)_\(suffix)"
        }
        config["sender_id"] = sender
        config["display_name"] = displayName ?? config["display_name"] ?? name
        if let store { config["store"] = store }
        do {
            try config.text.write(toFile: Paths.configFile, atomically: true, encoding: .utf8)
        } catch {
            throw CLIError("cannot write \(Paths.configFile): \(error.localizedDescription)")
        }
        let key = try KeyFile.load(path: keyPath)
        print("sender_id:  \(sender)")
        print("client_id:  \(config["client_id"] ?? "")")
        print("public_key: \(key.key.publicKey.base64)")
        print("config:     \(Paths.configFile)")
    }
}
