#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// An exclusive lock on one room's journal, so two processes never append to
/// the same chain (two live writers on one key would fork it).
///
/// An advisory `flock` on a file beside the journal: the kernel drops it when
/// the process dies, so a killed process never leaves the room locked.
public final class JournalLock: Sendable {
    private let fd: Int32
    public let path: String

    /// Takes the lock, waiting up to `timeout` for another process to let go.
    public init(journalPath: String, timeout: Duration = .seconds(10)) throws(EngineError) {
        path = journalPath + ".lock"
        do {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        } catch {
            throw EngineError(.journalIO, "Cannot create the folder of \(path): \(error.localizedDescription)")
        }
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw EngineError(.journalIO, "Cannot open the journal lock \(path): \(String(cString: strerror(errno))).")
        }
        let deadline = ContinuousClock.now + timeout
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR, ContinuousClock.now < deadline else {
                close(descriptor)
                throw EngineError(.busy, "Another bucketchat process (a mount, or a command still running) is writing to this room's journal \(journalPath). Wait for it, or write through its mount.")
            }
            usleep(20_000)
        }
        fd = descriptor
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
