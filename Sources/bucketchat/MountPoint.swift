import Foundation
import FUSEMount

/// The folder a mount lives on, and the files that track a running mount.
enum MountPoint {
    /// The absolute path of an empty folder to mount on (created if missing).
    /// A dead FUSE mount there (its daemon was killed: ENOTCONN) is
    /// detached first, and this says so; a live mount is refused.
    static func prepare(_ text: String) throws -> String {
        let url = URL(fileURLWithPath: text).standardizedFileURL
        let path = url.path
        if isDeadEndpoint(path) {
            print(try detachDead(path))
        }
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw CLIError("cannot create the mount point \(path): \(error.localizedDescription)")
            }
        } else if !isDirectory.boolValue {
            throw CLIError("\(path) is a file; mount on an empty folder")
        } else if let entry = MountEntry.at(path) {
            guard entry.isBucketChat else {
                throw CLIError("\(path) is already a mount point (\(entry.type) of \(entry.source)), and it is alive; bucketchat does not mount over it: unmount it first (umount or fusermount3 -u \(path)) or choose another folder")
            }
            throw CLIError("\(path) is already mounted; unmount it with `bucketchat umount \(path)` first")
        } else if let entries = try? FileManager.default.contentsOfDirectory(atPath: path), !entries.isEmpty {
            throw CLIError("\(path) is not empty; mount on an empty folder")
        }
        return path
    }

    /// Whether `path` is a FUSE mount whose daemon is gone: the kernel
    /// answers every lookup with ENOTCONN ("Transport endpoint is not
    /// connected") until it is unmounted.
    static func isDeadEndpoint(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) != 0 && errno == ENOTCONN
    }

    /// Unmounts a dead endpoint (lazily if a process still holds a file
    /// under it, as `fusermount3 -uz` does for sshfs users) and returns
    /// what was done, for the user. Call only when ``isDeadEndpoint(_:)``:
    /// a live mount is never detached here.
    static func detachDead(_ path: String) throws -> String {
        let entry = MountEntry.at(path)
        let pidFile = pidFile(path)
        let pid = (try? String(contentsOfFile: pidFile, encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        guard runFusermount(["-u", path]) || runFusermount(["-u", "-z", path]) else {
            throw CLIError("\(path) is a dead FUSE mount (Transport endpoint is not connected) and `fusermount3 -u -z \(path)` could not detach it; run `umount -l \(path)` as root, then mount again")
        }
        try? FileManager.default.removeItem(atPath: pidFile)
        guard entry?.isBucketChat ?? false else {
            return "\(path) was a dead FUSE mount (\(entry.map { "\($0.type) of \($0.source)" } ?? "its daemon is gone")); detached it"
        }
        let daemon = pid.map { " (pid \($0))" } ?? ""
        return "\(path) was a dead bucketchat mount (its daemon\(daemon) was killed); detached it. What it journaled is uploaded by the next mount or `bucketchat flush`"
    }

    /// Runs fusermount3 quietly; whether it succeeded.
    private static func runFusermount(_ arguments: [String]) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["fusermount3"] + arguments
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    /// Whether something is mounted exactly at `path` (from /proc/self/mountinfo).
    static func isMounted(_ path: String) -> Bool {
        MountEntry.at(path) != nil
    }

    /// Where the daemon of a mount point writes its process id.
    static func pidFile(_ path: String) -> String {
        let name = String(path.unicodeScalars.map { scalar -> Character in
            (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "-") && scalar.isASCII ? Character(scalar) : "_"
        })
        return Paths.stateDirectory + "/mount" + name + ".pid"
    }

    static var logFile: String { Paths.stateDirectory + "/mount.log" }

    /// Runs the FUSE loop on a thread of its own (libfuse blocks, and the
    /// Swift concurrency pool must stay free for sync and uploads), and
    /// returns when the mount ends.
    static func serve(_ session: FUSESession, onMounted: @escaping @Sendable () -> Void) async -> Result<Void, MountError> {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                do throws(MountError) {
                    try session.run(onMounted: onMounted)
                    continuation.resume(returning: .success(()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }
}
