import ArgumentParser
import ChatEngine
import ChatProtocol
import Foundation
import ObjectStore
import Stores

/// `bucketchat verify`: checks every event of a room, or of every room of a
/// store, and reports what it found.
struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Verify rooms: signatures, hash chains, membership rules and state.",
        discussion: """
            STORE is a folder that holds rooms/ (a local store or a copy of a bucket); or give \
            --store URL to read a bucket (s3://, gs://) directly. Without --room, every room \
            folder of the store is verified (with --json, an array of reports).

            Exit status: 0 when no integrity problem was found (attempts the room's rules \
            refuse, such as an uninvited join, are reported but are not one; nor are events of \
            a legacy room no trusted key can check); 1 when any was, in any room: a forged or \
            tampered event, a deleted or withheld event (gap), a fork, conflicting duplicates, \
            bad metadata; 2 for usage or I/O errors.
            """
    )

    @Argument(help: ArgumentHelp("The folder that holds rooms/.", valueName: "store"))
    var folder: String?

    @Option(help: ArgumentHelp("Read the rooms from this store instead: a folder, s3://bucket/prefix or gs://bucket/prefix.", valueName: "url"))
    var store: String?

    @Option(help: ArgumentHelp("The room to verify: its id or its name (default: every room of the store).", valueName: "room"))
    var room: String?

    @Flag(help: "Print one JSON object per room (an array without --room): room_id, accepted, rejected, alarms, warnings, members, skipped_keys and the resolved state.")
    var json = false

    @Flag(help: "Also fetch every shared file and check its bytes against the SHA-256 and size its event names (attachment_mismatch, attachment_missing are integrity alarms).")
    var attachments = false

    @OptionGroup var trust: TrustOptions

    @Option(name: .customLong("key"), help: ArgumentHelp(
        "A member device's key file (as `bucketchat init` writes it): private rooms' content is opened with it too, and a ciphertext that does not open is an alarm (undecryptable).",
        valueName: "file"))
    var keyFile: String?

    @Option(name: .customLong("creator-key"), help: ArgumentHelp(
        "The creator key you pinned for this room; an alarm is raised if metadata.json names another.", valueName: "base64"))
    var creatorKey: String?

    func validate() throws {
        guard (folder == nil) != (store == nil) else {
            throw ValidationError("give either a STORE folder or --store URL")
        }
        if let creatorKey, PublicKey(base64: creatorKey) == nil {
            throw ValidationError("--creator-key must be standard base64 of a 32-byte Ed25519 public key")
        }
        if creatorKey != nil, room == nil {
            throw ValidationError("--creator-key pins one room's creator: give --room too")
        }
    }

    func run() async throws {
        let (location, opened) = try openStore()
        let rooms = try await roomIDs(in: opened, at: location)
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        var problem = false
        var reports: [JSONValue] = []
        var readerKeys: [SigningKey] = []
        if let keyFile {
            do {
                readerKeys = [try KeyFile.load(path: keyFile).key]
            } catch {
                throw CLIError("cannot use the key file \(keyFile): \(error.message)")
            }
        }
        for roomID in rooms {
            let supplied = try TrustedKeys.load(room: roomID, extra: trust.files).keys
            var verifier = RoomVerifier(nowMs: now, suppliedKeys: supplied, pinnedCreatorKey: creatorKey.flatMap(PublicKey.init(base64:)))
            verifier.readerKeys = readerKeys
            // The engine's intake: objects are checked in batches on every core
            // while the next ones are fetched (a local folder's read in place).
            let sync = RoomSync(store: opened, roomID: roomID, verifier: verifier, now: { now })
            do {
                _ = try await sync.sync(full: true)
            } catch {
                throw CLIError("cannot read room \(roomID): \(error.message)")
            }
            let result = await sync.verification
            let files = try await AttachmentCheck.run(result, store: opened, fetch: attachments)
            problem = problem || result.hasIntegrityProblem || !files.alarms.isEmpty
            if json {
                var report = result.reportJSON(nowMs: now)
                if case .object(var object) = report {
                    object["attachments"] = files.json
                    if !files.alarms.isEmpty, case .array(let alarms)? = object["alarms"] {
                        object["alarms"] = .array(alarms + files.alarms.map { a in
                            .object(JSONObject([("kind", .string(a.kind.rawValue)), ("sender_id", a.senderID.map { .string($0) } ?? .null),
                                                ("event_id", a.eventID.map { .string($0) } ?? .null), ("detail", .string(a.detail))]))
                        })
                    }
                    report = .object(object)
                }
                if room != nil {
                    FileHandle.standardOutput.write(Data(CanonicalJSON.encode(report) + [0x0A]))
                } else {
                    reports.append(report)
                }
            } else {
                if roomID != rooms.first { print("") }
                print(([VerifySummary(result: result).text] + files.lines).joined(separator: "\n"))
            }
        }
        if json, room == nil {
            FileHandle.standardOutput.write(Data(CanonicalJSON.encode(.array(reports)) + [0x0A]))
        } else if !json, room == nil {
            print("\n\(rooms.count) room(s) verified: \(problem ? "integrity problems found (see above)" : "no integrity problem")")
        }
        // Exit here rather than return: returning would free every event of the room one
        // by one (a noticeable share of the run on large rooms) just before the process ends.
        fflush(nil)
        Foundation.exit(problem ? 1 : 0)
    }

    /// The store named by STORE or --store.
    func openStore() throws -> (StoreLocation, any ObjectStore) {
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
            return (location, Verbosity.logsRequests ? LoggedStore(opened) : opened)
        } catch let error as StoreError {
            throw CLIError(error.message)
        }
    }

    /// The rooms to verify: the one --room names (by id, else by name), or every room folder.
    /// Unlike the other commands, verify reads a folder whose metadata is missing or
    /// invalid: saying what is wrong with it is its job.
    func roomIDs(in opened: any ObjectStore, at location: StoreLocation) async throws -> [String] {
        let state = StoreStateFolder(root: Paths.stateDirectory, storeDescription: location.description)
        let directory = RoomDirectory(store: opened, stateFolder: state.path, cache: nil)
        let folders: [String]
        do {
            folders = try await directory.roomFolders()
        } catch {
            throw CLIError(error.message)
        }
        guard let room else {
            guard !folders.isEmpty else { throw CLIError("\(folder ?? store ?? "") holds no rooms (no rooms/ROOM_ID/ folder)") }
            return folders
        }
        if folders.contains(room) { return [room] }
        do {
            return [try await directory.resolve(room).roomID]
        } catch {
            let known = folders.isEmpty ? "it holds no rooms" : "rooms there: \(folders.joined(separator: ", "))"
            throw CLIError(error.code == .ambiguous ? error.message : "no room \(room) in \(folder ?? store ?? "") (\(known))")
        }
    }
}
