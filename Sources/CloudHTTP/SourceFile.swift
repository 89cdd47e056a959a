import Foundation
import ObjectStore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file being uploaded, read one part at a time at its offset, so an
/// upload holds a few parts in memory whatever the file's size.
///
/// Reads run on a dispatch queue, never on Swift's cooperative pool.
public final class SourceFile: @unchecked Sendable {
    // The descriptor is only read with pread, which is safe from many threads.
    private let fd: Int32
    public let path: String
    /// The size when opened; uploads send exactly this many bytes.
    public let size: Int64
    private let queue = DispatchQueue(label: "bucketchat.source-file", attributes: .concurrent)

    /// Opens `path` for reading; `key` names the object it is to become, for messages.
    public init(path: String, key: ObjectKey) throws(StoreError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw StoreError(.io, "Cannot open \(path) to upload it as \"\(key)\". Check that the file exists and is readable.", cause: SystemError("open", errno: errno))
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let failure = SystemError("fstat", errno: errno)
            close(fd)
            throw StoreError(.io, "Cannot inspect \(path) to upload it as \"\(key)\".", cause: failure)
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw StoreError(.io, "\(path) is not a regular file, so it cannot be uploaded as \"\(key)\". Give the path of a file.")
        }
        self.fd = fd
        self.path = path
        self.size = Int64(info.st_size)
    }

    deinit { close(fd) }

    /// `length` bytes from `offset`; throws if the file is shorter than that
    /// now (it changed while being uploaded).
    public func read(offset: Int64, length: Int) async throws(StoreError) -> Data {
        let result: Result<Data, StoreError> = await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: self.readNow(offset: offset, length: length)) }
        }
        return try result.get()
    }

    private func readNow(offset: Int64, length: Int) -> Result<Data, StoreError> {
        var data = Data(count: length)
        var done = 0
        var failure: SystemError?
        data.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress else { return }
            while done < length {
                let n = pread(fd, base + done, length - done, off_t(offset) + off_t(done))
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = SystemError("pread", errno: errno)
                    return
                }
                if n == 0 { return }
                done += n
            }
        }
        if let failure {
            return .failure(StoreError(.io, "Could not read \(path) while uploading it. Check the disk.", cause: failure))
        }
        guard done == length else {
            return .failure(StoreError(.io, "\(path) became shorter while being uploaded (\(offset + Int64(done)) of \(size) bytes). Upload it again once nothing writes to it."))
        }
        return .success(data)
    }
}
