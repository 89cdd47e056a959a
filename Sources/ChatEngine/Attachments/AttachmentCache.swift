#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ChatProtocol
import Foundation
import ObjectStore

/// Shared files fetched from a store, content-addressed on local disk:
/// `attachments/<sha256>` in the store's cache folder (``ObjectCache``).
///
/// Files are fetched only on demand, never by a sync. A download streams
/// into a temporary file while it is hashed, and is renamed into place only
/// when its size and hash are what the event says; anything else is an
/// `attachment_mismatch` (or `attachment_missing`), nothing is kept, and an
/// ``Alarm`` is recorded for the room (``alarms(roomID:)``, kept in
/// `alarms.jsonl` so every process of the store sees it). Concurrent fetches
/// of one file share one download. Faces read the returned path, ranges
/// included.
public actor AttachmentCache {
    /// The folder holding the files.
    public nonisolated let folder: String
    /// Downloads under way, by sha and size: later callers wait for the first.
    private var downloads: [String: Task<Result<String, EngineError>, Never>] = [:]
    /// Alarms recorded per room, oldest first.
    private var recorded: [String: [Alarm]]

    /// A cache in `folder` (created when the first file is kept).
    public init(folder: String) {
        self.folder = folder
        recorded = Self.readAlarms(folder + "/alarms.jsonl")
        Self.removeStaleTemporaries(in: folder)
    }

    /// Removes downloads a crash cut short. Only old ones: another process
    /// of the same store may be downloading into this folder right now.
    private static func removeStaleTemporaries(in folder: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        let cutoff = Date().addingTimeInterval(-24 * 3600)
        for name in names where name.hasPrefix("tmp-") {
            let path = folder + "/" + name
            if let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date, modified < cutoff {
                unlink(path)
            }
        }
    }

    /// The cached file with this SHA-256, if the cache holds it.
    public func cachedPath(sha256: String) -> String? {
        let path = folder + "/" + sha256
        return MessageContent.FileInfo.isSHA256Hex(sha256) && FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// The path of the file's bytes on local disk, downloading them from
    /// `rooms/{roomID}/attachments/{sha}` if the cache does not hold them.
    ///
    /// - Parameters:
    ///   - eventID: the `m.file` event, named in messages and alarms.
    ///   - senderID: who shared it, kept with an alarm.
    ///   - limit: the largest file fetched (``FileLimit/standard`` unless the
    ///     caller overrides it); a larger one is `file_too_large` before any download.
    /// - Throws: `attachment_mismatch` (bytes differ from the event's hash
    ///   or size), `attachment_missing` (no such object), both recorded as
    ///   alarms; `store_unavailable`/`store_refused` when the store fails;
    ///   `file_io` when the cache cannot be written.
    ///
    /// A private room's file (``MessageContent/FileInfo/encryption``) is
    /// fetched as stored, checked, then opened (``plaintext(of:file:roomID:eventID:senderID:)``):
    /// the path returned is the plaintext's.
    public func fetch(roomID: String, file: MessageContent.FileInfo, eventID: String? = nil, senderID: String? = nil,
                      limit: Int64 = FileLimit.standard, from store: any ObjectStore) async throws(EngineError) -> String {
        let stored = try await fetchStored(roomID: roomID, file: file, eventID: eventID, senderID: senderID, limit: limit, from: store)
        guard file.encryption != nil else { return stored }
        return try plaintext(of: stored, file: file, roomID: roomID, eventID: eventID, senderID: senderID)
    }

    /// The stored bytes of a file, fetched and checked against its size and SHA-256.
    private func fetchStored(roomID: String, file: MessageContent.FileInfo, eventID: String?, senderID: String?,
                             limit: Int64, from store: any ObjectStore) async throws(EngineError) -> String {
        guard MessageContent.FileInfo.isSHA256Hex(file.sha256) else {
            throw EngineError(.invalidEvent, "Room \(roomID): \(file.name) names no valid sha256.")
        }
        if let path = cachedPath(sha256: file.sha256), Self.size(of: path) == file.size { return path }
        guard file.size <= limit else {
            throw EngineError(.fileTooLarge, "The file \(file.name)\(eventID.map { " (\(EventReference.short($0)))" } ?? "") in room \(roomID) is \(file.size) bytes, over the \(FileLimit.describe(limit)) download limit. Raise it with \(FileLimit.setting)=<MiB>, or ask for this file with an explicit limit. Nothing was downloaded.")
        }
        let slot = "\(file.sha256)-\(file.size)"
        if let running = downloads[slot] { return try await running.value.get() }
        let folder = folder
        let task = Task { await Self.download(roomID: roomID, file: file, eventID: eventID, store: store, folder: folder) }
        downloads[slot] = task
        let result = await task.value
        downloads[slot] = nil
        if case .failure(let error) = result, let kind = Self.alarmKind(error.code) {
            record(Alarm(kind: kind, senderID: senderID, eventID: eventID, detail: error.message), roomID: roomID)
        }
        return try result.get()
    }

    /// Takes a blob this device uploaded (its hash computed here when it was
    /// shared) into the cache by renaming it; false when it could not (another
    /// filesystem, say), and the caller removes it.
    public func adopt(_ path: String, sha256: String) -> Bool {
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        guard rename(path, folder + "/" + sha256) == 0 else { return false }
        _ = SystemFile.syncFolder(folder)
        return true
    }

    /// The attachment alarms recorded for a room, oldest first: what the
    /// mount's `alerts` file and `verify --json` add to verification's alarms.
    public func alarms(roomID: String) -> [Alarm] {
        recorded[roomID] ?? []
    }

    /// Records an alarm for a room once (the same kind, event and detail are not repeated).
    public func record(_ alarm: Alarm, roomID: String) {
        guard !(recorded[roomID] ?? []).contains(alarm) else { return }
        recorded[roomID, default: []].append(alarm)
        let line = JSONObject([
            ("room_id", .string(roomID)), ("kind", .string(alarm.kind.rawValue)),
            ("sender_id", alarm.senderID.map { .string($0) } ?? .null),
            ("event_id", alarm.eventID.map { .string($0) } ?? .null), ("detail", .string(alarm.detail)),
        ])
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let fd = open(folder + "/alarms.jsonl", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let bytes = CanonicalJSON.encode(.object(line)) + [0x0A]
        _ = bytes.withUnsafeBytes { SystemFile.writeAll(fd, $0) }
    }

    private static func alarmKind(_ code: EngineError.Code) -> AlarmKind? {
        switch code {
        case .attachmentMismatch: return .attachmentMismatch
        case .attachmentMissing: return .attachmentMissing
        default: return nil
        }
    }

    private static func size(of path: String) -> Int64? {
        var info = stat()
        return stat(path, &info) == 0 ? Int64(info.st_size) : nil
    }

    /// One download into a temporary file, kept only when it is the file the event describes.
    private static func download(roomID: String, file: MessageContent.FileInfo, eventID: String?,
                                 store: any ObjectStore, folder: String) async -> Result<String, EngineError> {
        let what = "\(file.name)\(eventID.map { " (\(EventReference.short($0)), event \($0))" } ?? "") in room \(roomID), sha256 \(file.sha256)"
        let key: ObjectKey
        let sink: HashedFile
        do {
            key = try ObjectKey(RoomObjectKey.attachmentKey(roomID: roomID, sha256: file.sha256))
            sink = try HashedFile(in: folder, limit: nil)
        } catch {
            return .failure(EngineError(.fileIO, "Cannot make room in \(folder) to download \(what): \(error).", cause: error))
        }
        do {
            _ = try await store.download(key, into: sink, maxBytes: file.size)
        } catch {
            sink.discard()
            switch error.code {
            case .notFound:
                return .failure(EngineError(.attachmentMissing, "The file \(what) is not in \(store.locationDescription): its bytes were never uploaded or were removed. Ask the sender to share it again.", cause: error))
            case .tooLarge:
                return .failure(EngineError(.attachmentMismatch, "The file \(what) in \(store.locationDescription) is larger than the \(file.size) bytes its event says: the stored bytes are not the file that was shared. Nothing was kept.", cause: error))
            default:
                let refused = Uploader.isRefusal(error.code)
                return .failure(EngineError(refused ? .storeRefused : .storeUnavailable, "Downloading \(what) from \(store.locationDescription) failed: \(error.message) Try again\(refused ? " once the store's settings or permissions are fixed" : "").", cause: error))
            }
        }
        do {
            let (sha, size) = try sink.seal()
            guard sha == file.sha256, size == file.size else {
                sink.discard()
                return .failure(EngineError(.attachmentMismatch, "The file \(what) in \(store.locationDescription) does not match its event: \(size) bytes with sha256 \(sha), where the event says \(file.size) bytes. The stored bytes are not the file that was shared; nothing was kept."))
            }
            return .success(try sink.place(as: sha))
        } catch {
            sink.discard()
            return .failure(EngineError(.fileIO, "Cannot keep \(what) in \(folder): \(error). Check the disk.", cause: error))
        }
    }

    /// Reads the alarms file; lines that do not parse are skipped.
    private static func readAlarms(_ path: String) -> [String: [Alarm]] {
        guard let data = FileManager.default.contents(atPath: path) else { return [:] }
        var out: [String: [Alarm]] = [:]
        for line in data.split(separator: 0x0A) {
            guard case .object(let o)? = try? JSONParser().parse(Array(line)), let room = o["room_id"]?.stringValue,
                  let kind = o["kind"]?.stringValue.flatMap(AlarmKind.init(rawValue:)), let detail = o["detail"]?.stringValue
            else { continue }
            let alarm = Alarm(kind: kind, senderID: o["sender_id"]?.stringValue, eventID: o["event_id"]?.stringValue, detail: detail)
            if !(out[room] ?? []).contains(alarm) { out[room, default: []].append(alarm) }
        }
        return out
    }
}
