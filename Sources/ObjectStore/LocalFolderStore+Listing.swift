import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Listing a local folder store. A poll lists one date folder after a
// watermark; in a busy room that folder holds tens of thousands of files of
// which a handful are new. So names are compared as bytes in the directory
// entry's own buffer, only keys after the bound are stat'ed and made into
// strings, and only those are sorted: a poll costs one pass over the names,
// not a stat and a sort of everything the folder ever held.
extension LocalFolderStore {
    func listNow(prefix: String, startAfter: String?) throws(StoreError) -> [ObjectInfo] {
        // Walk only the deepest folder the prefix names completely.
        let folderPart = prefix.contains("/") ? String(prefix[..<(prefix.lastIndex(of: "/") ?? prefix.startIndex)]) : ""
        let bounds = ListingBounds(prefix: Array(prefix.utf8), startAfter: startAfter.map { Array($0.utf8) })
        var found: [(key: [UInt8], info: ObjectInfo)] = []
        try walk(relative: Array(folderPart.utf8), bounds: bounds, into: &found)
        found.sort { ListingBounds.precedes($0.key, $1.key) }
        return found.map(\.info)
    }

    /// The folders below `prefix` that hold at least one object (as on S3, where
    /// a folder is only the shared start of keys), from the prefix's folder's
    /// entries: what the folders hold is not walked beyond the first file.
    func listFoldersNow(prefix: String) throws(StoreError) -> [String] {
        let folderPart = prefix.contains("/") ? String(prefix[..<(prefix.lastIndex(of: "/") ?? prefix.startIndex)]) : ""
        let base = folderPart.isEmpty ? "" : folderPart + "/"
        let folder = folderPart.isEmpty ? root : root + "/" + folderPart
        guard let dir = opendir(folder) else {
            if errno == ENOENT || errno == ENOTDIR { return [] }
            throw StoreError(.io, "Could not list \(folder). Check that the store folder is readable.", cause: SystemError("opendir", errno: errno))
        }
        defer { closedir(dir) }
        var out: [String] = []
        while let entry = readdir(dir) {
            guard let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name) else { continue }
            let name = String(cString: (UnsafeRawPointer(entry) + nameOffset).assumingMemoryBound(to: CChar.self))
            if name == "." || name == ".." || name.hasPrefix(Self.temporaryPrefix) { continue }
            let key = base + name + "/"
            guard key.utf8.starts(with: prefix.utf8) else { continue }
            var info = stat()
            guard lstat(folder + "/" + name, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR,
                  holdsAFile(root + "/" + base + name) else { continue }
            out.append(key)
        }
        return out.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// Whether a folder holds a regular file at any depth (temporaries aside).
    private func holdsAFile(_ folder: String) -> Bool {
        guard let dir = opendir(folder) else { return false }
        defer { closedir(dir) }
        var below: [String] = []
        while let entry = readdir(dir) {
            guard let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name) else { continue }
            let name = String(cString: (UnsafeRawPointer(entry) + nameOffset).assumingMemoryBound(to: CChar.self))
            if name == "." || name == ".." || name.hasPrefix(Self.temporaryPrefix) { continue }
            var info = stat()
            guard lstat(folder + "/" + name, &info) == 0 else { continue }
            switch info.st_mode & S_IFMT {
            case S_IFREG: return true
            case S_IFDIR: below.append(folder + "/" + name)
            default: continue
            }
        }
        for child in below where holdsAFile(child) { return true }
        return false
    }

    private func walk(relative: [UInt8], bounds: ListingBounds, into found: inout [(key: [UInt8], info: ObjectInfo)]) throws(StoreError) {
        let folder = relative.isEmpty ? root : root + "/" + String(decoding: relative, as: UTF8.self)
        guard let dir = opendir(folder) else {
            if errno == ENOENT || errno == ENOTDIR { return }
            throw StoreError(.io, "Could not list \(folder). Check that the store folder is readable.", cause: SystemError("opendir", errno: errno))
        }
        defer { closedir(dir) }
        let descriptor = dirfd(dir)
        let temporary = Array(Self.temporaryPrefix.utf8)
        // The key of the entry at hand: `relative/` then its name, reusing one buffer.
        var key = relative
        if !key.isEmpty { key.append(0x2F) }
        let base = key.count
        while let entry = readdir(dir) {
            // Read d_name in place: the kernel packs entries, so copying the
            // whole fixed-size d_name array could read past the buffer.
            guard let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name) else { continue }
            let name = (UnsafeRawPointer(entry) + nameOffset).assumingMemoryBound(to: UInt8.self)
            let length = strlen(UnsafeRawPointer(name).assumingMemoryBound(to: CChar.self))
            let nameBytes = UnsafeBufferPointer(start: name, count: length)
            if (length == 1 && name[0] == 0x2E) || (length == 2 && name[0] == 0x2E && name[1] == 0x2E) { continue }
            if nameBytes.starts(with: temporary) { continue }
            key.removeSubrange(base...)
            key.append(contentsOf: nameBytes)
            // d_type spares a stat per entry; filesystems that do not fill it in get one.
            var kind = entry.pointee.d_type
            var info = stat()
            var stated = false
            if kind == UInt8(DT_UNKNOWN) {
                guard fstatat(descriptor, UnsafeRawPointer(name).assumingMemoryBound(to: CChar.self), &info, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
                stated = true
                switch info.st_mode & S_IFMT {
                case S_IFDIR: kind = UInt8(DT_DIR)
                case S_IFREG: kind = UInt8(DT_REG)
                default: continue
                }
            }
            if kind == UInt8(DT_DIR) {
                key.append(0x2F)
                if bounds.mayHoldKeys(below: key) { try walk(relative: Array(key.dropLast()), bounds: bounds, into: &found) }
            } else if kind == UInt8(DT_REG), bounds.admits(key) {
                if !stated {
                    guard fstatat(descriptor, UnsafeRawPointer(name).assumingMemoryBound(to: CChar.self), &info, AT_SYMLINK_NOFOLLOW) == 0,
                          (info.st_mode & S_IFMT) == S_IFREG else { continue }
                }
                found.append((key, ObjectInfo(key: String(decoding: key, as: UTF8.self), size: Int(info.st_size), etag: Self.etag(info))))
            }
        }
    }

    /// A local etag: device, inode, size and modification time identify the
    /// file, which this store never rewrites. The time is there because a file
    /// replaced by someone else can get the same inode number back (a freed
    /// inode is reused at once) and have the same size; readers must still see
    /// that it changed.
    static func etag(_ info: stat) -> String {
        let mtime = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        return "\(String(info.st_dev, radix: 16))-\(String(info.st_ino, radix: 16))-\(String(info.st_size, radix: 16))-\(String(mtime, radix: 16))"
    }
}
