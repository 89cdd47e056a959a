#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Puts a mount in the background, as sshfs does: the same command runs
/// again with `-f` in a new session, its output appended to the log, and
/// this process returns once the mount is up (or says why it is not).
enum MountDaemon {
    /// glibc's POSIX_SPAWN_SETSID, which Swift's Glibc module does not export.
    private static let spawnSetSID: Int32 = 0x80

    static func start(mountpoint: String) throws {
        let log = MountPoint.logFile
        closeInheritedDescriptors()
        let arguments = [CommandLine.arguments[0]] + CommandLine.arguments.dropFirst() + ["-f"]
        var fileActions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&fileActions)
        defer { posix_spawn_file_actions_destroy(&fileActions) }
        posix_spawn_file_actions_addopen(&fileActions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&fileActions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_adddup2(&fileActions, 1, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(spawnSetSID))
        let before = (try? FileManager.default.attributesOfItem(atPath: log)[.size] as? Int) ?? 0
        var pid: pid_t = 0
        let cArguments = arguments.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        let status = posix_spawn(&pid, "/proc/self/exe", &fileActions, &attributes, cArguments, environ)
        guard status == 0 else {
            throw CLIError("cannot start the mount daemon: \(String(cString: strerror(status)))")
        }
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if MountPoint.isMounted(mountpoint) {
                print("mounted at \(mountpoint) (log: \(log)); unmount with `bucketchat umount \(mountpoint)`")
                return
            }
            var exitStatus: Int32 = 0
            if waitpid(pid, &exitStatus, WNOHANG) == pid {
                throw CLIError("the mount at \(mountpoint) did not start:\n\(tail(of: log, from: before))")
            }
            usleep(50_000)
        }
        kill(pid, SIGTERM)
        throw CLIError("the mount at \(mountpoint) did not come up within 60 s; see \(log)")
    }

    /// Marks every descriptor above stderr close-on-exec, so the daemon holds
    /// none of ours: a caller waiting for this process's pipes or its exit
    /// socket (Foundation's Process) would otherwise wait for the daemon too.
    static func closeInheritedDescriptors() {
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for descriptor in descriptors.compactMap(Int32.init) where descriptor > 2 {
            let flags = fcntl(descriptor, F_GETFD)
            if flags >= 0 { _ = fcntl(descriptor, F_SETFD, flags | FD_CLOEXEC) }
        }
    }

    /// What the daemon wrote to the log since `offset`.
    static func tail(of path: String, from offset: Int) -> String {
        guard let data = FileManager.default.contents(atPath: path), data.count > offset else { return "(nothing in \(path))" }
        return String(decoding: data[offset...], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
