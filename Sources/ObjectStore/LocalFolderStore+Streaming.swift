import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Files in and out of a local folder a chunk at a time, so an attachment of
/// any size costs one chunk of memory.
extension LocalFolderStore {
    /// What one read or write moves: large enough that the syscalls cost
    /// little, small enough to be nothing beside a process's memory.
    static let chunkSize = 1 << 20

    public func putFileIfAbsent(_ key: ObjectKey, path: String, progress: (@Sendable (Int64) -> Void)?) async throws(StoreError) -> PutOutcome {
        try checkLocalRules(key)
        return try await run { () throws(StoreError) -> PutOutcome in try self.putFileIfAbsentNow(key, path: path, progress: progress) }
    }

    public func download(_ key: ObjectKey, into sink: any ObjectSink, maxBytes: Int64) async throws(StoreError) -> Int64 {
        try await run { () throws(StoreError) -> Int64 in try self.downloadNow(key, into: sink, maxBytes: maxBytes) }
    }

    /// The same protocol as `putIfAbsentNow` — temporary file, fsync,
    /// `link()` (which never replaces a name), folder fsync — with the bytes
    /// copied from `path` a chunk at a time.
    func putFileIfAbsentNow(_ key: ObjectKey, path source: String, progress: (@Sendable (Int64) -> Void)?) throws(StoreError) -> PutOutcome {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else {
            throw StoreError(.io, "Cannot open \(source) to store it as \"\(key)\" in \(root). Check that the file exists and is readable.", cause: SystemError("open", errno: errno))
        }
        defer { close(input) }

        let finalPath = path(of: key)
        let folder = (finalPath as NSString).deletingLastPathComponent
        try makeFolders(folder, key: key)
        let temporary = folder + "/" + Self.temporaryPrefix + UUID().uuidString
        let output = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard output >= 0 else { throw ioError("create a temporary file for", key, call: "open") }
        let copied: Int64
        do throws(StoreError) {
            copied = try copy(from: input, source: source, to: output, key: key, progress: progress)
            guard fsync(output) == 0 else { throw ioError("flush", key, call: "fsync") }
        } catch {
            close(output)
            unlink(temporary)
            throw error
        }
        close(output)

        let linked = link(temporary, finalPath)
        let linkErrno = errno
        unlink(temporary)
        if linked != 0 {
            if linkErrno == EEXIST {
                // Sizes, not bytes: see ObjectStore.putFileIfAbsent.
                return .alreadyExists(sameBytes: try headNow(key)?.size == Int(copied))
            }
            throw StoreError(.io, "Could not create \"\(key)\" in \(root). Check that the folder is writable and on a filesystem that supports hard links.", cause: SystemError("link", errno: linkErrno))
        }
        try syncFolder(folder, key: key)
        return .created
    }

    /// Copies `input` to its end into `output`; returns the bytes copied.
    private func copy(from input: Int32, source: String, to output: Int32, key: ObjectKey,
                      progress: (@Sendable (Int64) -> Void)?) throws(StoreError) -> Int64 {
        var buffer = [UInt8](repeating: 0, count: Self.chunkSize)
        var total: Int64 = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { raw in read(input, raw.baseAddress, raw.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw StoreError(.io, "Could not read \(source) to store it as \"\(key)\" in \(root). Check the disk.", cause: SystemError("read", errno: errno))
            }
            if n == 0 { return total }
            if let failure = buffer.withUnsafeBytes({ SystemFile.writeAll(output, UnsafeRawBufferPointer(rebasing: $0[0..<n])) }) {
                throw StoreError(.io, "Could not write \"\(key)\" in \(root). Check free space and permissions.", cause: failure)
            }
            total += Int64(n)
            progress?(total)
        }
    }

    func downloadNow(_ key: ObjectKey, into sink: any ObjectSink, maxBytes: Int64) throws(StoreError) -> Int64 {
        let fd = open(path(of: key), O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT || errno == ENOTDIR {
                throw StoreError(.notFound, "No object \"\(key)\" in \(root).")
            }
            throw ioError("read", key, call: "open")
        }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) == 0, Int64(info.st_size) > maxBytes {
            throw tooLarge(key, size: Int64(info.st_size), maxBytes: maxBytes)
        }
        var buffer = [UInt8](repeating: 0, count: Self.chunkSize)
        var total: Int64 = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { raw in read(fd, raw.baseAddress, raw.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ioError("read", key, call: "read")
            }
            if n == 0 { return total }
            // Objects are write-once, but a file edited by hand could have grown since fstat.
            let take = Int(min(Int64(n), maxBytes - total))
            if take > 0 {
                var failure: StoreError?
                buffer.withUnsafeBytes { raw in
                    do throws(StoreError) { try sink.receive(UnsafeRawBufferPointer(rebasing: raw[0..<take])) } catch { failure = error }
                }
                if let failure { throw failure }
                total += Int64(take)
            }
            if take < n { throw tooLarge(key, size: nil, maxBytes: maxBytes) }
        }
    }

    private func tooLarge(_ key: ObjectKey, size: Int64?, maxBytes: Int64) -> StoreError {
        let holds = size.map { "holds \($0) bytes" } ?? "holds more bytes"
        return StoreError(.tooLarge, "\"\(key)\" in \(root) \(holds), more than the \(maxBytes) expected. Check that the reference to it names the right size.")
    }
}
