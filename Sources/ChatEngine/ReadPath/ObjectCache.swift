import ChatProtocol
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import ObjectStore
import Synchronization

/// Objects already fetched from a store, kept on local disk so a restart
/// fetches only what is new.
///
/// An entry is used only while the store still reports the same etag and
/// size for its key; anything else is fetched again. Objects are write-once,
/// so a changed etag means something rewrote the bucket: fetching again lets
/// verification judge the new bytes.
public final class ObjectCache: Sendable {
    let directory: URL
    /// Signatures verified on earlier opens (`signatures.bin`), so reopening a
    /// large room does not check every signature again.
    public let signatures: SignatureMemo
    /// Shared files fetched on demand (`attachments/`), content-addressed.
    public let attachments: AttachmentCache
    /// The index of cached objects, by key.
    private struct IndexTable {
        var entries: [String: ObjectInfo]
    }

    /// The lock guards the index and the index file.
    private let index: Mutex<IndexTable>

    /// Opens (or creates) a cache in a folder.
    public init(directory: URL) throws {
        self.directory = directory
        signatures = SignatureMemo(path: directory.appendingPathComponent("signatures.bin").path)
        attachments = AttachmentCache(folder: directory.appendingPathComponent("attachments").path)
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("objects"), withIntermediateDirectories: true)
        var entries: [String: ObjectInfo] = [:]
        if let data = FileManager.default.contents(atPath: directory.appendingPathComponent("index.jsonl").path) {
            for line in data.split(separator: 0x0A) {
                guard case .object(let o)? = try? JSONParser().parse(Array(line)),
                      let key = o["key"]?.stringValue, let etag = o["etag"]?.stringValue, let size = o["size"]?.intValue
                else { continue }
                entries[key] = ObjectInfo(key: key, size: Int(size), etag: etag)
            }
        }
        index = Mutex(IndexTable(entries: entries))
    }

    /// The cached bytes of an object, if the cache holds this very version.
    public func bytes(for info: ObjectInfo) -> [UInt8]? {
        guard index.withLock({ $0.entries[info.key] }) == info,
              let data = FileManager.default.contents(atPath: path(for: info.key)), data.count == info.size
        else { return nil }
        return Array(data)
    }

    /// Every cached object whose key starts with `prefix`, read from disk.
    public func objects(prefix: String) -> [(info: ObjectInfo, bytes: [UInt8])] {
        let infos = index.withLock { $0.entries.values.filter { $0.key.hasPrefix(prefix) } }
        return infos.compactMap { info in bytes(for: info).map { (info, $0) } }
    }

    /// Keeps an object's bytes. Failures only cost a fetch later, so they are ignored.
    public func store(_ bytes: [UInt8], for info: ObjectInfo) {
        let target = path(for: info.key)
        let temporary = target + ".tmp-\(UUID().uuidString)"
        do {
            try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(bytes).write(to: URL(fileURLWithPath: temporary))
            _ = try? FileManager.default.removeItem(atPath: target)
            try FileManager.default.moveItem(atPath: temporary, toPath: target)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            return
        }
        let record = JSONObject([("key", .string(info.key)), ("etag", .string(info.etag)), ("size", .int(Int64(info.size)))])
        let line = Data(CanonicalJSON.encode(.object(record)) + [0x0A])
        index.withLock { index in
            index.entries[info.key] = info
            let indexPath = directory.appendingPathComponent("index.jsonl").path
            if !FileManager.default.fileExists(atPath: indexPath) {
                _ = FileManager.default.createFile(atPath: indexPath, contents: nil)
            }
            if let handle = FileHandle(forWritingAtPath: indexPath) {
                handle.seekToEndOfFile()
                handle.write(line)
                try? handle.close()
            }
        }
    }

    /// The versions of the objects the cache holds under a prefix, by key.
    public func infos(prefix: String) -> [String: ObjectInfo] {
        index.withLock { $0.entries.filter { $0.key.hasPrefix(prefix) } }
    }

    /// The room's last ledger snapshot (see ``RoomLedger/snapshot(version:)``),
    /// mapped into memory, if one was written. The snapshot carries its own
    /// checksum, which the restore checks.
    public func snapshot(roomID: String) -> SnapshotBytes? {
        SnapshotBytes(mapping: snapshotPath(roomID: roomID))
    }

    /// Replaces the room's snapshot: written beside it, then renamed over it,
    /// so a reader never sees half a file and a mapping of the old one stays
    /// valid. A failure costs only a slower open later.
    public func storeSnapshot(_ snapshot: LedgerSnapshot, roomID: String) {
        let target = snapshotPath(roomID: roomID)
        let temporary = target + ".tmp-\(getpid())"
        do {
            try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        } catch {
            return
        }
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        let written = snapshot.write { SystemFile.writeAll(fd, $0) == nil }
        close(fd)
        guard written, rename(temporary, target) == 0 else {
            unlink(temporary)
            return
        }
    }

    private func snapshotPath(roomID: String) -> String {
        // Room ids are validated ([A-Za-z0-9_-]), so the name stays in the folder.
        directory.appendingPathComponent("snapshots").path + "/" + roomID + ".ledger"
    }

    private func path(for key: String) -> String {
        // Keys are validated object keys (no '..', no leading '/'), so they stay inside the folder.
        directory.appendingPathComponent("objects").path + "/" + key
    }
}
