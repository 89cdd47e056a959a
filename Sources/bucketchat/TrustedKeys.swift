import ArgumentParser
import ChatProtocol
import Foundation

/// Keys the user trusts for senders of legacy rooms (rooms whose
/// `metadata.json` declares no creator key, such as the reference client's),
/// where the room itself says nothing about who holds which key.
///
/// Kept in the config folder in the `--trusted-keys` format,
/// `{"sender_id": "base64 public key"}` (or a list of keys per sender):
/// `trusted_keys` for every room, `trusted_keys.d/ROOM_ID` for one room.
/// Rooms that declare their keys ignore these: their keys come from the room.
struct TrustedKeys {
    private(set) var keys: [String: [PublicKey]] = [:]

    /// The file for every room.
    static var globalPath: String { Paths.configDirectory + "/trusted_keys" }

    /// The file for one room.
    static func roomPath(_ roomID: String) -> String { Paths.configDirectory + "/trusted_keys.d/" + roomID }

    /// The keys in effect for a room: the global file, the room's file, and `extra` files.
    static func load(room roomID: String, extra: [String]) throws -> TrustedKeys {
        var trusted = TrustedKeys()
        for path in [globalPath, roomPath(roomID)] where FileManager.default.fileExists(atPath: path) {
            trusted.merge(try load(path))
        }
        for path in extra { trusted.merge(try load(path)) }
        return trusted
    }

    /// Reads `{"sender_id": "key"}` (a list of keys per sender is accepted too).
    static func load(_ path: String) throws -> TrustedKeys {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError("cannot read trusted keys file \(path)")
        }
        let value: JSONValue
        do {
            value = try JSONParser(maxBytes: 16 << 20).parse(Array(data))
        } catch {
            throw CLIError("trusted keys file \(path) is not valid JSON: \(error)")
        }
        guard case .object(let object) = value else {
            throw CLIError("trusted keys file \(path) must hold a JSON object {\"sender_id\": \"base64 public key\"}")
        }
        var trusted = TrustedKeys()
        for member in object.members {
            let texts: [String]
            switch member.value {
            case .string(let s): texts = [s]
            case .array(let items): texts = items.compactMap(\.stringValue)
            default: texts = []
            }
            let keys = texts.compactMap(PublicKey.init(base64:))
            guard !keys.isEmpty, keys.count == texts.count else {
                throw CLIError("trusted keys file \(path): the key of \(member.key) is not base64 of 32 bytes")
            }
            for key in keys { trusted.add(key, for: member.key) }
        }
        return trusted
    }

    mutating func add(_ key: PublicKey, for sender: String) {
        if !(keys[sender] ?? []).contains(key) { keys[sender, default: []].append(key) }
    }

    mutating func merge(_ other: TrustedKeys) {
        for (sender, list) in other.keys { for key in list { add(key, for: sender) } }
    }

    /// Writes the keys in the `--trusted-keys` format, atomically, readable by the user only.
    func save(_ path: String) throws {
        try Paths.makePrivateDirectory((path as NSString).deletingLastPathComponent)
        let object = JSONObject(keys.sorted { $0.key < $1.key }.map { sender, list in
            (sender, list.count == 1 ? JSONValue.string(list[0].base64) : .array(list.map { .string($0.base64) }))
        })
        do {
            try Data(CanonicalJSON.encode(.object(object)) + [0x0A]).write(to: URL(fileURLWithPath: path), options: .atomic)
            chmod(path, 0o600)
        } catch {
            throw CLIError("cannot write trusted keys file \(path): \(error.localizedDescription)")
        }
    }
}

/// `--trusted-keys FILE`, on every command that reads a room.
struct TrustOptions: ParsableArguments {
    @Option(name: .customLong("trusted-keys"), help: ArgumentHelp(
        "For legacy rooms (no creator_key in metadata.json): a JSON file {\"sender_id\": \"base64 public key\", ...}, added to the keys trusted with `bucketchat keys trust`. Repeatable.",
        valueName: "file"))
    var files: [String] = []
}
