#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The file-writing loops every layer that writes files shares: whole
/// buffers to a descriptor, and the folder sync that makes a name durable.
///
/// It lives here because ObjectStore is the lowest layer that writes files;
/// ChatEngine calls it too. Failures come back as a ``SystemError`` (the call
/// and its errno) for each caller to put in its own layer's error.
public enum SystemFile {
    /// The `write(2)` shape, so tests can stand in a call that writes little or nothing.
    typealias WriteCall = (Int32, UnsafeRawPointer, Int) -> Int

    /// Writes every byte of `bytes` to `fd`, going on after short writes and
    /// interruptions.
    ///
    /// - Returns: nil once all is written, else the failure (`EIO` for a write
    ///   that wrote nothing without saying why, which would otherwise loop forever).
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> SystemError? {
        writeAll(fd, bytes, using: { write($0, $1, $2) })
    }

    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, using call: WriteCall) -> SystemError? {
        guard let base = bytes.baseAddress else { return nil }
        var done = 0
        while done < bytes.count {
            let n = call(fd, base + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                return SystemError("write", errno: errno)
            }
            if n == 0 { return SystemError("write", errno: EIO) }
            done += n
        }
        return nil
    }

    /// Makes the names created or renamed in `folder` durable: an fsync of the
    /// folder itself, without which a crash can forget a file whose bytes were synced.
    ///
    /// - Returns: nil once synced, else the failing call (`open` or `fsync`).
    public static func syncFolder(_ folder: String) -> SystemError? {
        let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return SystemError("open", errno: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { return SystemError("fsync", errno: errno) }
        return nil
    }
}
