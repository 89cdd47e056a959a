import ArgumentParser
import ChatEngine
import ChatProtocol
import Foundation

struct Files: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the files shared in a room: name, size, sender, time and REF.",
        discussion: "Redacted files are left out. `bucketchat download ROOM REF` fetches one; its bytes are checked against the SHA-256 the event names."
    )

    @Argument(help: "The room: its id or its name.") var room: String
    @Flag(help: "One JSON object per file.") var json = false
    @OptionGroup var trust: TrustOptions
    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        let client = try await Client.load(storeOptions)
        let files = await (try await client.read(room, trust: trust)).verification.sharedFiles
        for shared in files {
            let file = shared.file
            if json {
                Output.json(.object(JSONObject([
                    ("ref", .string(shared.reference)), ("event_id", .string(shared.eventID)), ("sender_id", .string(shared.senderID)),
                    ("ts", .int(shared.timestampMs)), ("name", .string(file.name)), ("size", .int(file.contentSize)),
                    ("mimetype", .string(file.mimetype)), ("sha256", .string(file.sha256)),
                ])))
            } else {
                let time = UTCTime(milliseconds: shared.timestampMs).iso8601
                print("\(TimelineLine.escape(file.name))\t\(file.contentSize)\t\(TimelineLine.escape(shared.senderID))\t\(time)\t\(shared.reference)")
            }
        }
    }
}

struct Download: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Download a file shared in a room, checked against the SHA-256 its event names.",
        discussion: """
            Writes the file under its shared name in the current folder, or to -o PATH (-o - for stdout). \
            The bytes are written only once they match the event's hash and size: on a mismatch or a missing \
            file the command exits 1, writes no output file, and the room's alerts record it. An existing \
            file is not overwritten unless --force. Fetched files are kept in the cache, so a second download is local.
            """
    )

    @Argument(help: "The room: its id or its name.") var room: String
    @Argument(help: "The file's event: its REF (as `bucketchat files` shows), a unique prefix, or its full id.") var ref: String
    @Option(name: .shortAndLong, help: ArgumentHelp("Where to write it; - for stdout.", valueName: "path")) var output: String?
    @Flag(help: "Overwrite an existing output file.") var force = false
    @Option(name: .customLong("max-size"), help: ArgumentHelp("The largest file to download, in MiB (default: \(FileLimit.defaultBytes >> 20), or $\(FileLimit.setting)).", valueName: "MiB"))
    var maxSizeMiB: Int64?
    @OptionGroup var trust: TrustOptions
    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        let client = try await Client.load(storeOptions)
        let sync = try await client.read(room, trust: trust)
        let roomID = sync.roomID
        let files = await sync.verification.sharedFiles
        let id = try EventReference.resolve(ref, among: files.map(\.eventID), roomID: roomID)
        guard let shared = files.first(where: { $0.eventID == id }) else {
            throw CLIError("no file of room \(roomID) matches \(ref); `bucketchat files \(room)` lists them")
        }
        let target = output ?? shared.file.name
        if target != "-", !force, FileManager.default.fileExists(atPath: target) {
            throw CLIError("\(target) exists; give another path with -o, or --force to overwrite it. Nothing was downloaded.")
        }
        guard let cache = client.cache else {
            throw CLIError("the cache folder \(Paths.dataDirectory)/cache cannot be created; check that it is writable")
        }
        let limit = maxSizeMiB.map { $0 << 20 } ?? FileLimit.standard
        let cached = try await cache.attachments.fetch(roomID: roomID, file: shared.file, eventID: id, senderID: shared.senderID,
                                                       limit: limit, from: client.store)
        if target == "-" {
            try Download.copy(cached, to: FileHandle.standardOutput)
            return
        }
        // Through a temporary file beside the target: a reader never sees half a file.
        let url = URL(fileURLWithPath: target)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).bucketchat-\(getpid())")
        do {
            try? FileManager.default.removeItem(at: temporary)
            try FileManager.default.copyItem(at: URL(fileURLWithPath: cached), to: temporary)
            if force { _ = try? FileManager.default.removeItem(at: url) }
            try FileManager.default.moveItem(at: temporary, to: url)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw CLIError("cannot write \(target): \(error.localizedDescription)")
        }
        Output.warn("\(shared.file.name) (\(shared.file.contentSize) bytes, sha256 checked) → \(target)")
    }

    /// Streams a file to a handle in bounded memory.
    static func copy(_ path: String, to handle: FileHandle) throws {
        guard let input = FileHandle(forReadingAtPath: path) else { throw CLIError("cannot read the cached file \(path)") }
        defer { try? input.close() }
        while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty {
            try handle.write(contentsOf: chunk)
        }
    }
}
