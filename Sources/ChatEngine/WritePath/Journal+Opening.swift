import ChatProtocol
import Foundation
import ObjectStore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Journal {
    /// Where a room's journal for one device lives under a state folder.
    public static func path(stateFolder: String, roomID: String, clientID: String) -> String {
        folder(stateFolder: stateFolder, roomID: roomID) + "/\(clientID).journal"
    }

    /// The folder of a room's journals (one per device) under a state folder.
    public static func folder(stateFolder: String, roomID: String) -> String {
        "\(stateFolder)/journal/\(roomID)"
    }

    /// The rooms this identity has journals for under a state folder: the
    /// rooms it has written to there, sorted.
    public static func rooms(stateFolder: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: stateFolder + "/journal")) ?? []
        return names.filter { RoomID.isValid($0) }.sorted()
    }

    /// Opens (creating if needed) the journal at `path`, cuts a torn tail, and
    /// returns it with what it holds.
    ///
    /// Only the tail can be torn: a record is acknowledged after an fsync that
    /// covers it and everything before it, so the first bad record and all
    /// after it were never acknowledged and are cut.
    ///
    /// When everything in it is uploaded and the file is larger than
    /// `compactAbove` bytes, it is first rewritten as one checkpoint record.
    static func open(path: String, syncHook: (@Sendable () -> Void)? = nil, compactAbove: Int = 1 << 20) throws(EngineError) -> (Journal, JournalContents) {
        let folder = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw EngineError(.journalIO, "Could not create the journal folder \(folder). Check the state folder's permissions.", cause: error)
        }
        let existed = FileManager.default.fileExists(atPath: path)
        var descriptor = openFile(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw EngineError(.journalIO, "Could not open the journal \(path): \(String(cString: strerror(errno))). Check the state folder's permissions.")
        }
        // Best effort, as it always was: a folder that opened the file but
        // cannot be synced does not stop the journal from opening.
        if !existed { _ = SystemFile.syncFolder(folder) }
        let bytes: [UInt8]
        do {
            bytes = try readAll(descriptor, path: path)
        } catch {
            close(descriptor)
            throw error
        }
        var contents: JournalContents
        do {
            contents = try scan(bytes, path: path)
        } catch {
            close(descriptor)
            throw error
        }
        if contents.fileBytes < bytes.count {
            guard ftruncate(descriptor, off_t(contents.fileBytes)) == 0, fsync(descriptor) == 0 else {
                let reason = String(cString: strerror(errno))
                close(descriptor)
                throw EngineError(.journalIO, "Could not cut the torn tail of the journal \(path): \(reason). Check the disk.")
            }
            contents.truncatedBytes = bytes.count - contents.fileBytes
        }
        if contents.pending.isEmpty, contents.openBatches.isEmpty, let last = contents.lastEvent, contents.fileBytes > compactAbove {
            close(descriptor)
            let record = JournalRecord.checkpoint(next: contents.nextOrdinal, line: last.lineBytes).encoded
            try compact(path: path, folder: folder, record: record)
            descriptor = openFile(path, O_RDWR | O_APPEND | O_CLOEXEC)
            guard descriptor >= 0 else {
                throw EngineError(.journalIO, "Could not reopen the compacted journal \(path): \(String(cString: strerror(errno))).")
            }
            contents.fileBytes = record.count
        }
        return (Journal(path: path, descriptor: descriptor, syncHook: syncHook), contents)
    }

    /// Replays the records of a journal file into the state they describe.
    static func scan(_ bytes: [UInt8], path: String) throws(EngineError) -> JournalContents {
        var contents = JournalContents()
        var start = 0
        var index = 0
        func corrupt(_ why: String) -> EngineError {
            EngineError(.journalCorrupt, "The journal \(path) is inconsistent at byte \(start): \(why). Keep the file for inspection; move it aside to start the device's chain anew (its pending events are then lost).")
        }
        func event(_ line: [UInt8]) throws(EngineError) -> Event {
            let value: JSONValue
            do {
                value = try JSONParser(maxBytes: Outbox.maxLineBytes).parse(line)
            } catch {
                throw EngineError(.journalCorrupt, "The journal \(path) holds an event that is not JSON at byte \(start). Keep the file for inspection.", cause: error)
            }
            do {
                return try Event(json: value)
            } catch {
                throw EngineError(.journalCorrupt, "The journal \(path) holds an event that does not parse at byte \(start). Keep the file for inspection.", cause: error)
            }
        }
        while index < bytes.count {
            guard let newline = bytes[index...].firstIndex(of: 0x0A) else { break }
            guard let record = JournalRecord(line: bytes[index..<newline]) else { break }
            start = index
            switch record {
            case .event(let line):
                let e = try event(line)
                contents.pending.append(e)
                contents.lastEvent = e
                contents.nextOrdinal += 1
            case .checkpoint(let next, let line):
                guard start == 0 else { throw corrupt("a checkpoint record after the first record") }
                contents.lastEvent = try event(line)
                contents.nextOrdinal = next
                contents.confirmedThrough = next
            case .batch(let first, let count, let key):
                let expected = contents.openBatches.last.map { $0.first + $0.count } ?? contents.confirmedThrough
                guard first == expected else { throw corrupt("batch at event \(first), expected \(expected)") }
                guard count > 0, first + count <= contents.nextOrdinal else { throw corrupt("batch of \(count) events at \(first) names events not journaled before it") }
                contents.openBatches.append(.init(first: first, count: count, key: key))
            case .uploaded(let first):
                guard let oldest = contents.openBatches.first, oldest.first == first else {
                    throw corrupt("upload confirmation for a batch at \(first) that is not the oldest open one")
                }
                contents.openBatches.removeFirst()
                contents.pending.removeFirst(oldest.count)
                contents.confirmedThrough += oldest.count
            }
            index = newline + 1
        }
        contents.fileBytes = index
        return contents
    }

    /// Replaces the journal by one record, atomically: a crash leaves either
    /// the old file or the new one, both describing the same state.
    private static func compact(path: String, folder: String, record: [UInt8]) throws(EngineError) {
        let temporary = path + ".compact"
        let fd = openFile(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw EngineError(.journalIO, "Could not create \(temporary) to compact the journal: \(String(cString: strerror(errno))). Check free space.")
        }
        var failure = record.withUnsafeBytes { SystemFile.writeAll(fd, $0) }
        if failure == nil, fsync(fd) != 0 { failure = SystemError("fsync", errno: errno) }
        close(fd)
        if failure == nil, rename(temporary, path) != 0 { failure = SystemError("rename", errno: errno) }
        if let failure {
            unlink(temporary)
            throw EngineError(.journalIO, "Could not compact the journal \(path): \(String(cString: strerror(failure.errno))). Check free space.", cause: failure)
        }
        _ = SystemFile.syncFolder(folder)
    }

    private static func readAll(_ descriptor: Int32, path: String) throws(EngineError) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        guard lseek(descriptor, 0, SEEK_SET) == 0 else {
            throw EngineError(.journalIO, "Could not read the journal \(path): \(String(cString: strerror(errno))).")
        }
        while true {
            let n = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw EngineError(.journalIO, "Could not read the journal \(path): \(String(cString: strerror(errno))).")
            }
            if n == 0 { return bytes }
            bytes += chunk[0..<n]
        }
    }
}

/// `open(2)`, named apart from ``Journal/open(path:syncHook:)``, which would shadow it.
private func openFile(_ path: String, _ flags: Int32, _ mode: mode_t = 0) -> Int32 {
    open(path, flags, mode)
}
