import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The blocking halves of LocalFolderStore's operations, on POSIX calls so the
// write-once steps (O_EXCL, fsync, link, directory fsync) are explicit.
extension LocalFolderStore {
    func putIfAbsentNow(_ key: ObjectKey, _ bytes: Data) throws(StoreError) -> PutOutcome {
        let finalPath = path(of: key)
        let folder = (finalPath as NSString).deletingLastPathComponent
        try makeFolders(folder, key: key)

        let temporary = folder + "/" + Self.temporaryPrefix + UUID().uuidString
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ioError("create a temporary file for", key, call: "open") }
        do throws(StoreError) {
            try writeAll(fd, bytes, key: key)
            guard fsync(fd) == 0 else { throw ioError("flush", key, call: "fsync") }
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        close(fd)

        let linked = link(temporary, finalPath)
        let linkErrno = errno
        unlink(temporary)
        if linked != 0 {
            if linkErrno == EEXIST {
                let existing = try readAll(finalPath, key: key)
                return .alreadyExists(sameBytes: existing.elementsEqual(bytes))
            }
            throw StoreError(.io, "Could not create \"\(key)\" in \(root). Check that the folder is writable and on a filesystem that supports hard links.", cause: SystemError("link", errno: linkErrno))
        }
        try syncFolder(folder, key: key)
        return .created
    }

    func getNow(_ key: ObjectKey) throws(StoreError) -> Data {
        Data(try bytesNow(key))
    }

    func bytesNow(_ key: ObjectKey) throws(StoreError) -> [UInt8] {
        try readAll(path(of: key), key: key)
    }

    func headNow(_ key: ObjectKey) throws(StoreError) -> ObjectInfo? {
        var info = stat()
        if stat(path(of: key), &info) != 0 {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw ioError("inspect", key, call: "stat")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return ObjectInfo(key: key.rawValue, size: Int(info.st_size), etag: Self.etag(info))
    }

    func makeFolders(_ folder: String, key: ObjectKey) throws(StoreError) {
        var missing: [String] = []
        var current = folder
        while !current.isEmpty, current != "/", access(current, F_OK) != 0 {
            missing.append(current)
            current = (current as NSString).deletingLastPathComponent
        }
        for created in missing.reversed() {
            if mkdir(created, 0o755) != 0, errno != EEXIST {
                throw StoreError(.io, "Could not create the folder \(created) for \"\(key)\". Check that \(root) is writable.", cause: SystemError("mkdir", errno: errno))
            }
            // A new folder's name is durable only once its parent is synced.
            try syncFolder((created as NSString).deletingLastPathComponent, key: key)
        }
    }

    func syncFolder(_ folder: String, key: ObjectKey) throws(StoreError) {
        if let failure = SystemFile.syncFolder(folder) {
            throw StoreError(.io, "Could not flush the folder of \"\(key)\" in \(root). Check that the folder exists and is readable and writable.", cause: failure)
        }
    }

    private func writeAll(_ fd: Int32, _ bytes: Data, key: ObjectKey) throws(StoreError) {
        if let failure = bytes.withUnsafeBytes({ SystemFile.writeAll(fd, $0) }) {
            throw StoreError(.io, "Could not write \"\(key)\" in \(root). Check free space and permissions.", cause: failure)
        }
    }

    private func readAll(_ path: String, key: ObjectKey) throws(StoreError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT || errno == ENOTDIR {
                throw StoreError(.notFound, "No object \"\(key)\" in \(root).")
            }
            throw ioError("read", key, call: "open")
        }
        defer { close(fd) }
        // Objects are write-once, so the size stat reports is the size to read;
        // the loop still reads to the end in case the file is longer.
        var info = stat()
        var capacity = fstat(fd, &info) == 0 ? max(Int(info.st_size), 0) + 1 : 1 << 16
        var bytes = [UInt8](repeating: 0, count: capacity)
        var filled = 0
        while true {
            if filled == capacity {
                capacity *= 2
                bytes += [UInt8](repeating: 0, count: capacity - filled)
            }
            let n = bytes.withUnsafeMutableBytes { raw in read(fd, raw.baseAddress! + filled, capacity - filled) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ioError("read", key, call: "read")
            }
            if n == 0 { break }
            filled += n
        }
        bytes.removeLast(bytes.count - filled)
        return bytes
    }

    func ioError(_ action: String, _ key: ObjectKey, call: String) -> StoreError {
        StoreError(.io, "Could not \(action) \"\(key)\" in \(root). Check that the folder exists and is readable and writable.", cause: SystemError(call, errno: errno))
    }
}
