#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ChatProtocol
import Foundation
import ObjectStore

/// The files a device has shared in a room and not yet uploaded:
/// `blobs/` in the room's journal folder, each named by its SHA-256.
///
/// A share copies the file here (fsynced, renamed, folder fsynced) before its
/// event is journaled, so once a share returns a crash loses neither; the
/// ``Uploader`` puts a blob in the store before any batch holding an event
/// that names it, then hands it to the attachment cache or removes it.
public struct BlobArea: Sendable {
    /// The folder holding the blobs.
    public let folder: String

    /// The blob area of a room's journal folder under a state folder.
    public init(stateFolder: String, roomID: String) {
        folder = Journal.folder(stateFolder: stateFolder, roomID: roomID) + "/blobs"
    }

    /// Where the blob with this SHA-256 is (whether or not it is there).
    public func path(of sha256: String) -> String { folder + "/" + sha256 }

    /// Whether the blob is here.
    public func contains(_ sha256: String) -> Bool { FileManager.default.fileExists(atPath: path(of: sha256)) }

    /// Starts a blob whose bytes arrive in pieces (a mount's `cp file ROOM/files/`).
    ///
    /// - Parameters:
    ///   - name: the file's name, for messages.
    ///   - limit: the most bytes it may take (``FileLimit/standard`` unless told otherwise).
    public func begin(name: String, roomID: String, limit: Int64 = FileLimit.standard) throws(EngineError) -> BlobWriter {
        do {
            return BlobWriter(file: try HashedFile(in: folder, limit: limit), name: name, roomID: roomID)
        } catch {
            throw EngineError(.fileIO, "Cannot start a copy of \(name) for room \(roomID) in \(folder): \(error). Check that the folder is writable and the disk has room.", cause: error)
        }
    }

    /// Copies the file at `path` here in 1 MiB pieces while hashing it, and
    /// returns the durable blob. Memory holds one piece whatever the file's size.
    ///
    /// - Throws: `file_too_large` above `limit` (before copying anything when
    ///   the file's size says so), `file_io` when it cannot be read or written.
    public func importFile(_ path: String, name: String, roomID: String, limit: Int64 = FileLimit.standard) throws(EngineError) -> StoredBlob {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw EngineError(.fileIO, "Cannot read \(path) to share it in room \(roomID): \(SystemError("open", errno: errno)). Nothing was sent.")
        }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFREG else {
                throw EngineError(.fileIO, "\(path) is not a regular file; only files can be shared in room \(roomID). Nothing was sent.")
            }
            if Int64(info.st_size) > limit { throw BlobWriter.tooLarge(name: name, size: Int64(info.st_size), limit: limit, roomID: roomID) }
        }
        let writer = try begin(name: name, roomID: roomID, limit: limit)
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                let error = SystemError("read", errno: errno)
                writer.cancel()
                throw EngineError(.fileIO, "Cannot read \(path) to share it in room \(roomID): \(error). Nothing was sent.", cause: error)
            }
            if count == 0 { break }
            var failure: EngineError?
            chunk.withUnsafeBytes { buffer in
                do throws(EngineError) { try writer.append(UnsafeRawBufferPointer(rebasing: buffer[0..<count])) } catch { failure = error }
            }
            if let failure { throw failure }
        }
        return try writer.finish()
    }

    /// Removes what a crash left: temporaries of copies that never finished,
    /// and blobs no pending event names (copied but never journaled, or
    /// uploaded but not yet tidied). Run when the room's journal is opened,
    /// under its lock, before any share of this process can be under way.
    func tidy(keeping needed: Set<String>) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for name in names where !needed.contains(name) {
            unlink(folder + "/" + name)
        }
    }

    /// Removes a blob (uploaded, or never journaled).
    public func remove(_ sha256: String) {
        unlink(path(of: sha256))
    }
}
