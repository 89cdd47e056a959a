import CFuse
import Foundation
import RoomFileSystem

/// One mounted filesystem: libfuse's session from mount to unmount.
///
/// ``run(onMounted:)`` mounts, serves requests on libfuse's own threads until
/// an unmount (`fusermount3 -u`, `bucketchat umount`) or SIGINT, SIGTERM or
/// SIGHUP, then returns. It blocks: call it from a thread of its own.
///
/// Signals unmount rather than set libfuse's exit flag: the flag is only
/// seen once a worker thread's read of /dev/fuse returns, which in a
/// process with other threads (Swift's) may never happen. An unmount ends
/// the kernel's session, so every worker's read returns at once.
public final class FUSESession: Sendable {
    public let mountpoint: String
    /// `-o` options for libfuse, after the defaults this mount sets.
    public let options: [String]
    private let fileSystem: RoomFileSystem

    public init(fileSystem: RoomFileSystem, mountpoint: String, options: [String]) {
        self.fileSystem = fileSystem
        self.mountpoint = mountpoint
        self.options = options
    }

    /// Mount options: named in `mount` listings, checked by the kernel
    /// against the modes the files show, private unless `allow_other` is given.
    var arguments: [String] {
        var list = ["fsname=bucketchat", "subtype=bucketchat", "default_permissions"]
        list += options
        return ["bucketchat", "-o", list.joined(separator: ",")]
    }

    /// Ends the mount at `path` the way `fusermount3 -u -z` does (lazily, so
    /// open files do not keep it up; they see the mount gone).
    static func unmount(_ path: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["fusermount3", "-u", "-z", path]
        try? process.run()
        process.waitUntilExit()
    }

    public func run(onMounted: () -> Void) throws(MountError) {
        let cStrings = arguments.map { strdup($0) }
        defer { cStrings.forEach { free($0) } }
        var argv = cStrings
        let retained = Unmanaged.passRetained(fileSystem)
        defer { retained.release() }
        var ops = FUSEOperations.table()
        let fuse: OpaquePointer? = argv.withUnsafeMutableBufferPointer { buffer in
            var args = fuse_args(argc: Int32(buffer.count), argv: buffer.baseAddress, allocated: 0)
            defer { fuse_opt_free_args(&args) }
            return cfuse_new(&args, &ops, retained.toOpaque())
        }
        guard let fuse else {
            throw MountError("libfuse refused the options \(arguments.dropFirst(2).joined()); see the message above")
        }
        defer { fuse_destroy(fuse) }
        guard fuse_mount(fuse, mountpoint) == 0 else {
            throw MountError("cannot mount at \(mountpoint): it must be an empty folder you own, and /dev/fuse must be usable (is fuse3 installed?)")
        }
        defer { fuse_unmount(fuse) }
        let signals = [SIGINT, SIGTERM, SIGHUP].map { number -> DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [mountpoint] in FUSESession.unmount(mountpoint) }
            source.resume()
            return source
        }
        defer { signals.forEach { $0.cancel() } }
        signal(SIGPIPE, SIG_IGN)
        onMounted()
        let status = cfuse_loop_mt(fuse)
        if status != 0 && status != -EINTR && status != SIGINT && status != SIGTERM && status != SIGHUP {
            throw MountError("the mount at \(mountpoint) ended with an error (\(status))")
        }
    }
}
