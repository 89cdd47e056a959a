import Foundation
import ObjectStore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file being uploaded: parts are hashed from it in small chunks and
/// streamed from it by curl (as `FileRegion`s), so an upload holds no part
/// in memory whatever the file's size; only small files are read whole.
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
        let result = data.withUnsafeMutableBytes { raw in fill(raw, offset: offset) }
        return result.map { data }
    }

    /// The SHA-256 and MD5 of `length` bytes from `offset`, read 1 MiB at a
    /// time: a region is hashed without ever being in memory whole.
    public func digests(offset: Int64, length: Int64) async throws(StoreError) -> RegionDigests {
        let result: Result<RegionDigests, StoreError> = await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: self.digestsNow(offset: offset, length: length)) }
        }
        return try result.get()
    }

    private func digestsNow(offset: Int64, length: Int64) -> Result<RegionDigests, StoreError> {
        let sha256 = DigestContext.sha256()
        let md5 = DigestContext.md5()
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { chunk.deallocate() }
        var done: Int64 = 0
        while done < length {
            let piece = UnsafeMutableRawBufferPointer(rebasing: chunk[..<Int(min(Int64(chunk.count), length - done))])
            if case .failure(let error) = fill(piece, offset: offset + done) { return .failure(error) }
            sha256.update(UnsafeRawBufferPointer(piece))
            md5.update(UnsafeRawBufferPointer(piece))
            done += Int64(piece.count)
        }
        return .success(RegionDigests(sha256: sha256.finish(), md5: md5.finish()))
    }

    /// Fills `buffer` from `offset`; fails if the file is shorter than that
    /// now (it changed while being uploaded) or cannot be read.
    private func fill(_ buffer: UnsafeMutableRawBufferPointer, offset: Int64) -> Result<Void, StoreError> {
        guard let base = buffer.baseAddress else { return .success(()) }
        var done = 0
        while done < buffer.count {
            let n = readAvailable(into: base + done, count: buffer.count - done, at: offset + Int64(done))
            if n < 0 {
                return .failure(StoreError(.io, "Could not read \(path) while uploading it. Check the disk.", cause: SystemError("pread", errno: errno)))
            }
            if n == 0 {
                return .failure(StoreError(.io, "\(path) became shorter while being uploaded (\(offset + Int64(done)) of \(size) bytes). Upload it again once nothing writes to it."))
            }
            done += n
        }
        return .success(())
    }

    /// One pread of up to `count` bytes at `offset`, on the calling thread
    /// (curl's read callback): the bytes read, 0 at the end of the file, -1
    /// on an error (in `errno`).
    func readAvailable(into buffer: UnsafeMutableRawPointer, count: Int, at offset: Int64) -> Int {
        while true {
            let n = pread(fd, buffer, count, off_t(offset))
            if n < 0 && errno == EINTR { continue }
            return n
        }
    }
}
