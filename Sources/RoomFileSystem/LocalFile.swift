#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The few system calls a shared file's verified local copy needs, kept out
/// of ``RoomFileSystem``, whose own `open`/`read` would shadow them.
enum LocalFile {
    /// A read-only descriptor, or the errno's text.
    static func openForReading(_ path: String) -> Result<Int32, LocalFileFailure> {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        return fd >= 0 ? .success(fd) : .failure(LocalFileFailure(errno: errno))
    }

    /// The size of an open file, nil when `fstat` fails.
    static func size(_ fd: Int32) -> Int64? {
        var info = stat()
        return fstat(fd, &info) == 0 ? Int64(info.st_size) : nil
    }

    static func close(_ fd: Int32) {
        _ = closeDescriptor(fd)
    }

    /// Reads up to `buffer.count` bytes at `offset` straight into `buffer`
    /// (the FUSE reply buffer), looping over short reads; 0 at the end.
    static func read(_ fd: Int32, at offset: Int, into buffer: UnsafeMutableRawBufferPointer) -> Result<Int, LocalFileFailure> {
        guard let base = buffer.baseAddress, offset >= 0 else { return .success(0) }
        var done = 0
        while done < buffer.count {
            let count = pread(fd, base + done, buffer.count - done, off_t(offset + done))
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(LocalFileFailure(errno: errno))
            }
            if count == 0 { break }
            done += count
        }
        return .success(done)
    }
}

/// `close(2)`, named apart from ``LocalFile/close(_:)``.
private func closeDescriptor(_ fd: Int32) -> Int32 { close(fd) }
