#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The file-writing loop every layer that writes files shares: whole
/// buffers to a descriptor.
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
}
