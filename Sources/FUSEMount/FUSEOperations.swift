import CFuse
import Foundation
import RoomFileSystem

/// libfuse's operation table: each entry unpacks the C arguments, calls the
/// ``RoomFileSystem`` operation of the same name, and packs its answer (or
/// `-errno`). Nothing here decides anything.
enum FUSEOperations {
    /// The filesystem libfuse hands every callback (the `private_data` given to `fuse_new`).
    static func fileSystem() -> RoomFileSystem? {
        guard let raw = cfuse_private_data() else { return nil }
        return Unmanaged<RoomFileSystem>.fromOpaque(raw).takeUnretainedValue()
    }

    /// The path the kernel gives, decoded leniently: for refusals, which
    /// never create or name anything.
    static func path(_ cPath: UnsafePointer<CChar>?) -> String {
        cPath.map { String(cString: $0) } ?? "/"
    }

    /// The path the kernel gives, which must be UTF-8 (EILSEQ otherwise):
    /// decoded leniently, `mkdir $'\xff'` made a room named U+FFFD.
    static func checkedPath(_ cPath: UnsafePointer<CChar>?) throws(FileSystemError) -> String {
        guard let cPath else { return "/" }
        guard let path = String(validatingCString: cPath) else {
            throw FileSystemError(.illegalByteSequence, "\(String(cString: cPath)): a path that is not valid UTF-8; names in the mount are UTF-8")
        }
        return path
    }

    /// Runs an operation, turning a thrown error into `-errno`.
    static func reply(_ body: (RoomFileSystem) throws(FileSystemError) -> Int32) -> Int32 {
        guard let fs = fileSystem() else { return -EIO }
        do {
            return try body(fs)
        } catch {
            return -error.errno
        }
    }

    static func fill(_ st: UnsafeMutablePointer<stat>, _ a: NodeAttributes, _ fs: RoomFileSystem) {
        memset(st, 0, MemoryLayout<stat>.size)
        let type: UInt32
        switch a.kind {
        // The file type bits of <sys/stat.h>, spelled out: Glibc and Foundation both export the macros.
        case .directory: type = 0o040000
        case .file: type = 0o100000
        case .symlink: type = 0o120000
        }
        st.pointee.st_mode = type | a.mode
        st.pointee.st_nlink = UInt(a.links)
        st.pointee.st_size = off_t(a.size)
        st.pointee.st_uid = fs.configuration.uid
        st.pointee.st_gid = fs.configuration.gid
        // The size tools read in (cat, cp): every read(2) of a mounted file
        // crosses into FUSE even when its pages are cached, so fewer, larger
        // reads go faster (`cat timeline` of 1M events, docs/fuse.md).
        st.pointee.st_blksize = 1 << 20
        st.pointee.st_blocks = blkcnt_t((a.size + 511) / 512)
        let time = timespec(tv_sec: Int(a.modifiedMs / 1000), tv_nsec: Int(a.modifiedMs % 1000) * 1_000_000)
        st.pointee.st_mtim = time
        st.pointee.st_ctim = time
        st.pointee.st_atim = time
    }

    /// Whether the kernel asked to interrupt the current request (a signal hit the caller).
    static func interrupted() -> Bool { fuse_interrupted() != 0 }

    /// `poll`: readable now, or the kernel's handle is kept and notified when `follow` grows.
    static func poll(_ fi: UnsafeMutablePointer<fuse_file_info>?, _ handle: OpaquePointer?, _ revents: UnsafeMutablePointer<UInt32>?) -> Int32 {
        reply { fs throws(FileSystemError) -> Int32 in
            let waiter: PollHandle? = handle.map { PollHandle($0) }
            var notify: (@Sendable () -> Void)?
            if let waiter { notify = { waiter.notify() } }
            let ready = try fs.poll(handle: cfuse_file_handle(fi), notify: notify)
            if ready { waiter?.discard() }
            revents?.pointee = ready ? UInt32(POLLIN | POLLRDNORM) : 0
            return 0
        }
    }

    static func table() -> fuse_operations {
        var ops = fuse_operations()
        ops.`init` = { _, cfg in
            if let cfg { cfuse_configure(cfg) }
            return cfuse_private_data()
        }
        ops.getattr = { cPath, st, _ in
            FUSEOperations.reply { fs throws(FileSystemError) in
                guard let st else { return -EINVAL }
                FUSEOperations.fill(st, try fs.getattr(FUSEOperations.checkedPath(cPath)), fs)
                return 0
            }
        }
        ops.readdir = { cPath, buffer, filler, _, _, _ in
            FUSEOperations.reply { fs throws(FileSystemError) in
                let entries = try fs.readdir(FUSEOperations.checkedPath(cPath))
                guard let filler else { return -EIO }
                _ = filler(buffer, ".", nil, 0, fuse_fill_dir_flags(rawValue: 0))
                _ = filler(buffer, "..", nil, 0, fuse_fill_dir_flags(rawValue: 0))
                for entry in entries {
                    if filler(buffer, entry.name, nil, 0, fuse_fill_dir_flags(rawValue: 0)) != 0 { break }
                }
                return 0
            }
        }
        ops.readlink = { cPath, buffer, size in
            FUSEOperations.reply { fs throws(FileSystemError) in
                let target = Array(try fs.readlink(FUSEOperations.checkedPath(cPath)).utf8)
                guard let buffer, size > 0 else { return -EINVAL }
                let count = min(target.count, Int(size) - 1)
                for i in 0..<count { buffer[i] = CChar(bitPattern: target[i]) }
                buffer[count] = 0
                return 0
            }
        }
        ops.mkdir = { cPath, _ in
            FUSEOperations.reply { fs throws(FileSystemError) in
                try fs.mkdir(FUSEOperations.checkedPath(cPath))
                return 0
            }
        }
        ops.rmdir = { cPath in FUSEOperations.reply { fs in -fs.refuseStructureChange(FUSEOperations.path(cPath), "remove a directory").errno } }
        ops.unlink = { cPath in FUSEOperations.reply { fs in -fs.refuseStructureChange(FUSEOperations.path(cPath), "remove a file").errno } }
        ops.rename = { cPath, _, _ in FUSEOperations.reply { fs in -fs.refuseStructureChange(FUSEOperations.path(cPath), "rename").errno } }
        ops.create = { cPath, _, fi in
            FUSEOperations.reply { fs throws(FileSystemError) in
                let opened = try fs.create(FUSEOperations.checkedPath(cPath))
                cfuse_file_set(fi, opened.handle, opened.directIO ? 1 : 0, opened.keepCache ? 1 : 0, opened.nonSeekable ? 1 : 0)
                return 0
            }
        }
        ops.truncate = { cPath, size, _ in
            FUSEOperations.reply { fs throws(FileSystemError) in
                try fs.truncate(FUSEOperations.checkedPath(cPath), size: Int(size))
                return 0
            }
        }
        ops.open = { cPath, fi in
            FUSEOperations.reply { fs throws(FileSystemError) in
                let flags = cfuse_file_flags(fi) & O_ACCMODE
                let opened = try fs.open(FUSEOperations.checkedPath(cPath), write: flags != O_RDONLY, read: flags != O_WRONLY,
                                         interrupted: FUSEOperations.interrupted)
                cfuse_file_set(fi, opened.handle, opened.directIO ? 1 : 0, opened.keepCache ? 1 : 0, opened.nonSeekable ? 1 : 0)
                return 0
            }
        }
        ops.read = { _, buffer, size, offset, fi in
            FUSEOperations.reply { fs throws(FileSystemError) in
                guard let buffer else { return -EINVAL }
                let target = UnsafeMutableRawBufferPointer(start: buffer, count: Int(size))
                return Int32(try fs.read(handle: cfuse_file_handle(fi), offset: Int(offset), into: target, interrupted: FUSEOperations.interrupted))
            }
        }
        ops.write = { _, buffer, size, offset, fi in
            FUSEOperations.reply { fs throws(FileSystemError) in
                let source = UnsafeRawBufferPointer(start: buffer, count: Int(size))
                return Int32(try fs.write(handle: cfuse_file_handle(fi), offset: Int(offset), bytes: source))
            }
        }
        ops.flush = { _, fi in
            FUSEOperations.reply { fs throws(FileSystemError) in
                try fs.flush(handle: cfuse_file_handle(fi))
                return 0
            }
        }
        ops.release = { _, fi in
            FUSEOperations.reply { fs in
                fs.release(handle: cfuse_file_handle(fi))
                return 0
            }
        }
        ops.fsync = { _, _, fi in
            FUSEOperations.reply { fs throws(FileSystemError) in
                try fs.fsync(handle: cfuse_file_handle(fi), interrupted: FUSEOperations.interrupted)
                return 0
            }
        }
        ops.poll = { _, fi, handle, revents in
            FUSEOperations.poll(fi, handle, revents)
        }
        return ops
    }
}
