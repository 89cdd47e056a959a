#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ChatProtocol
import Foundation
import ObjectStore
import Synchronization

/// A temporary file being written and hashed at once, then put in place under
/// its SHA-256 only when complete: the one write path of every attachment,
/// whether its bytes come from a local file, a mount's writes or a download.
///
/// A store's download writes into it as an ``ObjectSink``. Nothing reads a
/// file under its final name before it has been fsynced and renamed there,
/// so a crash leaves at worst a stray temporary, never a wrong attachment.
public final class HashedFile: ObjectSink {
    /// The temporary file's path.
    public let temporaryPath: String
    /// The folder it is renamed into.
    let folder: String
    /// Where `receive` refuses more bytes; nil for no bound.
    let limit: Int64?

    private struct Progress {
        var fd: Int32
        var hasher = SHA256Stream()
        var size: Int64 = 0
        var failure: SystemError?
    }

    private let progress: Mutex<Progress>

    /// Creates a new temporary file in `folder` (created if missing), mode 0600.
    ///
    /// - Parameter limit: the most bytes it takes; `append` beyond it fails with `.tooLarge`.
    init(in folder: String, limit: Int64?) throws(SystemError) {
        // A folder that cannot be made shows up as the open's errno below.
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/tmp-" + UUID().uuidString
        let fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SystemError("open", errno: errno) }
        self.temporaryPath = path
        self.folder = folder
        self.limit = limit
        progress = Mutex(Progress(fd: fd))
    }

    deinit {
        progress.withLock { state in
            if state.fd >= 0 { close(state.fd) }
        }
    }

    /// Bytes written so far.
    public var size: Int64 { progress.withLock { $0.size } }

    /// Writes the next bytes and adds them to the hash.
    public func receive(_ bytes: UnsafeRawBufferPointer) throws(StoreError) {
        let failure: StoreError? = progress.withLock { state in
            if let limit, state.size + Int64(bytes.count) > limit {
                return StoreError(.tooLarge, "more than \(limit) bytes")
            }
            guard state.fd >= 0 else { return StoreError(.io, "\(temporaryPath) is already closed") }
            if let error = SystemFile.writeAll(state.fd, bytes) {
                state.failure = error
                return StoreError(.io, "cannot write \(temporaryPath)", cause: error)
            }
            state.hasher.update(bytes)
            state.size += Int64(bytes.count)
            return nil
        }
        if let failure { throw failure }
    }

    /// Fsyncs and closes the file; returns its SHA-256 (lowercase hex) and size.
    func seal() throws(SystemError) -> (sha256: String, size: Int64) {
        try progress.withLock { (state) throws(SystemError) -> (sha256: String, size: Int64) in
            guard state.fd >= 0 else { throw SystemError("close", errno: EBADF) }
            defer {
                close(state.fd)
                state.fd = -1
            }
            if let failure = state.failure { throw failure }
            guard fsync(state.fd) == 0 else { throw SystemError("fsync", errno: errno) }
            let hasher = state.hasher
            return (hasher.finishHex(), state.size)
        }
    }

    /// Renames the sealed file to `name` in its folder and makes the name
    /// durable; returns the final path.
    func place(as name: String) throws(SystemError) -> String {
        let target = folder + "/" + name
        guard rename(temporaryPath, target) == 0 else { throw SystemError("rename", errno: errno) }
        if let error = SystemFile.syncFolder(folder) { throw error }
        return target
    }

    /// Closes and removes the temporary file (after a failure or a cancel).
    func discard() {
        progress.withLock { state in
            if state.fd >= 0 {
                close(state.fd)
                state.fd = -1
            }
        }
        unlink(temporaryPath)
    }
}
