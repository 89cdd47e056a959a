#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writing whole buffers to an open file, for the journal and the snapshot cache.
enum FileDescriptor {
    /// Writes every byte of `bytes` to `fd`, going on after short writes and
    /// interruptions.
    ///
    /// - Returns: nil once all is written, else the `errno` of the failure
    ///   (`EIO` for a write that wrote nothing without saying why).
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32? {
        guard let base = bytes.baseAddress else { return nil }
        var done = 0
        while done < bytes.count {
            let n = write(fd, base + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                return errno
            }
            if n == 0 { return EIO }
            done += n
        }
        return nil
    }
}
