import ArgumentParser
import ChatProtocol
import Foundation
import ObjectStore
import Stores

/// `bucketchat verify`: checks every event of a room and reports what it found.
struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Verify a room: signatures, hash chains, membership rules and state.",
        discussion: """
            STORE is a folder that holds rooms/ (a local store or a copy of a bucket); or give \
            --store URL to read a bucket (s3://, gs://) directly.

            Exit status: 0 when no integrity problem was found (attempts the room's rules \
            refuse, such as an uninvited join, are reported but are not one); 1 when any \
            was: a forged or tampered event, a deleted or withheld event (gap), a fork, \
            conflicting duplicates, bad metadata; 2 for usage or I/O errors.
            """
    )

    @Argument(help: ArgumentHelp("The folder that holds rooms/.", valueName: "store"))
    var folder: String?

    @Option(help: ArgumentHelp("Read the room from this store instead: a folder, s3://bucket/prefix or gs://bucket/prefix.", valueName: "url"))
    var store: String?

    @Option(help: ArgumentHelp("The room id to verify.", valueName: "room_id"))
    var room: String

    @Flag(help: "Print one JSON object: room_id, accepted, rejected, alarms, warnings, members, skipped_keys and the resolved state.")
    var json = false

    @Option(name: .customLong("trusted-keys"), help: ArgumentHelp(
        "For legacy rooms (no creator_key): a JSON file {\"sender_id\": \"base64 public key\", ...}.", valueName: "file"))
    var trustedKeys: String?

    @Option(name: .customLong("creator-key"), help: ArgumentHelp(
        "The creator key you pinned for this room; an alarm is raised if metadata.json names another.", valueName: "base64"))
    var creatorKey: String?

    func validate() throws {
        guard RoomID.isValid(room) else {
            throw ValidationError("room id \"\(room)\" must match [A-Za-z0-9_-]{1,64}")
        }
        guard (folder == nil) != (store == nil) else {
            throw ValidationError("give either a STORE folder or --store URL")
        }
        if let creatorKey, PublicKey(base64: creatorKey) == nil {
            throw ValidationError("--creator-key must be standard base64 of a 32-byte Ed25519 public key")
        }
    }

    func run() async throws {
        let supplied = try trustedKeys.map(Verify.loadTrustedKeys) ?? [:]
        let objects = try await readObjects()
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let verifier = RoomVerifier(nowMs: now, suppliedKeys: supplied, pinnedCreatorKey: creatorKey.flatMap(PublicKey.init(base64:)))
        let result = verifier.verify(roomID: room, objects: objects)
        if json {
            FileHandle.standardOutput.write(Data(CanonicalJSON.encode(result.reportJSON(nowMs: now)) + [0x0A]))
        } else {
            print(VerifySummary(result: result).text)
        }
        // Exit here rather than return: returning would free every event of the room one
        // by one (a noticeable share of the run on large rooms) just before the process ends.
        fflush(nil)
        Foundation.exit(result.hasIntegrityProblem ? 1 : 0)
    }

    /// Every object of the room, from the folder or the store, fetched 16 at a time.
    func readObjects() async throws -> [StoredObject] {
        let text = folder ?? store ?? ""
        do {
            let location = try StoreLocation(parsing: text)
            if case .folder(let path) = location {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
                    throw CLIError("\(path) is not a folder; pass the folder that holds rooms/")
                }
            }
            let opened = try location.open()
            let infos = try await opened.list(prefix: RoomObjectKey.roomPrefix(roomID: room))
            guard !infos.isEmpty else {
                let rooms = Set(try await opened.list(prefix: "rooms/").compactMap { $0.key.split(separator: "/").dropFirst().first.map(String.init) })
                let known = rooms.isEmpty ? "it holds no rooms" : "rooms there: \(rooms.sorted().joined(separator: ", "))"
                throw CLIError("no room \(room) in \(text) (\(known))")
            }
            return try await withThrowingTaskGroup(of: StoredObject.self) { group in
                var objects: [StoredObject] = []
                var next = 0
                func launch() {
                    let info = infos[next]
                    next += 1
                    group.addTask {
                        // A key no store would accept cannot be fetched; verification reports it as skipped.
                        guard let key = try? ObjectKey(info.key) else { return StoredObject(key: info.key, bytes: []) }
                        return StoredObject(key: info.key, bytes: Array(try await opened.get(key)))
                    }
                }
                while next < infos.count && next < 16 { launch() }
                while let object = try await group.next() {
                    objects.append(object)
                    if next < infos.count { launch() }
                }
                return objects
            }
        } catch let error as StoreError {
            throw CLIError(error.message)
        }
    }

    /// Reads `{"sender_id": "key"}` (a list of keys per sender is accepted too).
    static func loadTrustedKeys(_ path: String) throws -> [String: [PublicKey]] {
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
        var out: [String: [PublicKey]] = [:]
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
            out[member.key] = keys
        }
        return out
    }
}
