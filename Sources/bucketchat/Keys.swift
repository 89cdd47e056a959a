import ArgumentParser
import ChatProtocol
import Foundation

/// `bucketchat keys`: the device's Ed25519 key.
struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create and show this device's signing key; trust other clients' keys for legacy rooms.",
        subcommands: [Generate.self, Show.self, AddDevice.self, Rotate.self, Trust.self]
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
            guard FileManager.default.fileExists(atPath: keyFile.resolved) else {
                throw CLIError("no identity yet: run `bucketchat init --name NAME` first (looked for \(keyFile.resolved))")
            }
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

    struct AddDevice: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add-device",
            abstract: "Trust another device's key for your identity in rooms (run `keys show` on that device for its key)."
        )

        @Argument(help: ArgumentHelp("The other device's public key (base64).", valueName: "key"))
        var key: String

        @Option(name: .customLong("device-id"), help: "The other device's client id, for others to see.")
        var deviceID: String?

        @Option(name: .customLong("room"), help: "A room to add it to (repeatable; default: every room this device writes to).")
        var rooms: [String] = []

        @OptionGroup var action: ActionOptions

        func run() async throws {
            guard let newKey = PublicKey(base64: key) else { throw CLIError("the key must be base64 of a 32-byte Ed25519 public key") }
            let client = try await Client.load(action.storeOptions)
            for room in rooms.isEmpty ? client.writtenRooms : rooms {
                try await action.perform(room: room) { [deviceID] in [try await $0.act(.addKey(newKey, deviceID: deviceID, revoking: []))] }
            }
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace this device's key: a new key is trusted and the old one revoked in every room, then used from now on.",
            discussion: "The old key file is kept, renamed with .revoked. If a room cannot be reached, nothing is switched; run it again."
        )

        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            let client = try await Client.load(storeOptions)
            let keyPath = client.config["key_file"] ?? Paths.defaultKeyFile
            let nextPath = keyPath + ".next"
            let next: KeyFile
            if FileManager.default.fileExists(atPath: nextPath) {
                next = try KeyFile.load(path: nextPath)
            } else {
                next = KeyFile(senderID: client.identity.senderID, key: try SigningKey.generate(),
                               createdAt: ISO8601DateFormatter().string(from: Date()))
                try next.save(path: nextPath)
            }
            let old = client.identity.key.publicKey
            for room in client.writtenRooms {
                let session = try await client.open(room)
                _ = try await session.addKey(next.key.publicKey, revoking: [old])
                try await session.outbox.flush()
                await session.stopUploading()
                print("\(room): now trusts \(next.key.publicKey.base64), revoked \(old.base64)")
            }
            // The new key starts a new chain, so it writes as a new device.
            var config = client.config
            let suffix = RandomBytes.make(3).map { String(format: "%02x", $0) }.joined()
            let base = client.identity.clientID.split(separator: "_").dropLast().joined(separator: "_")
            config["client_id"] = "\(base.isEmpty ? "device" : base)_\(suffix)"
            do {
                try FileManager.default.moveItem(atPath: keyPath, toPath: keyPath + ".\(Int(Date().timeIntervalSince1970)).revoked")
                try FileManager.default.moveItem(atPath: nextPath, toPath: keyPath)
                try config.text.write(toFile: Paths.configFile, atomically: true, encoding: .utf8)
            } catch {
                throw CLIError("the rooms trust the new key, but switching files failed: \(error.localizedDescription); the new key is in \(nextPath)")
            }
            print("this device now signs with \(next.key.publicKey.base64) as \(config["client_id"] ?? "")")
        }
    }

    struct Trust: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Trust a sender's key for legacy rooms (rooms made by other clients, whose metadata.json declares no keys).",
            discussion: """
                Such rooms cannot say who holds which key, so their events show only once you \
                trust each sender's key, obtained from that sender by a channel you trust. Kept \
                in the config folder: trusted_keys for every legacy room, trusted_keys.d/ROOM_ID \
                with --room; both in the --trusted-keys format. Used by log, follow, members, \
                room info, verify and mount. Rooms that declare their keys ignore these.
                """
        )

        @Argument(help: ArgumentHelp("The sender, e.g. alice@example.com.", valueName: "sender_id"))
        var sender: String

        @Argument(help: ArgumentHelp("The sender's public key: standard base64 of 32 bytes.", valueName: "base64_key"))
        var key: String

        @Option(help: ArgumentHelp("Trust it for this room only: its id, or its name.", valueName: "room"))
        var room: String?

        @OptionGroup var storeOptions: StoreOptions

        func validate() throws {
            guard SenderID.isValid(sender) else {
                throw ValidationError("\"\(sender)\" is not a valid sender id: 1 to 255 characters without control characters")
            }
            guard PublicKey(base64: key) != nil else {
                throw ValidationError("the key must be standard base64 of a 32-byte Ed25519 public key")
            }
        }

        func run() async throws {
            guard let publicKey = PublicKey(base64: key) else { return }
            let path: String
            if let room {
                // A room id is taken as it is (no identity or store needed); a name is looked up.
                let roomID = RoomID.isValid(room) ? room : try await (try await Client.load(storeOptions)).resolve(room).roomID
                path = TrustedKeys.roomPath(roomID)
            } else {
                path = TrustedKeys.globalPath
            }
            var trusted = FileManager.default.fileExists(atPath: path) ? try TrustedKeys.load(path) : TrustedKeys()
            trusted.add(publicKey, for: sender)
            try trusted.save(path)
            print("trusted \(publicKey.base64) for \(sender)\(room.map { " in room \($0)" } ?? " in every legacy room") (\(path))")
        }
    }
}
