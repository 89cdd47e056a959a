import Foundation
import FUSEMount

/// The folder a mount lives on, and the files that track a running mount.
enum MountPoint {
    /// The absolute path of an empty folder to mount on (created if missing).
    static func prepare(_ text: String) throws -> String {
        let url = URL(fileURLWithPath: text).standardizedFileURL
        let path = url.path
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw CLIError("cannot create the mount point \(path): \(error.localizedDescription)")
            }
        } else if !isDirectory.boolValue {
            throw CLIError("\(path) is a file; mount on an empty folder")
        } else if isMounted(path) {
            throw CLIError("\(path) is already mounted; unmount it with `bucketchat umount \(path)` first")
        } else if let entries = try? FileManager.default.contentsOfDirectory(atPath: path), !entries.isEmpty {
            throw CLIError("\(path) is not empty; mount on an empty folder")
        }
        return path
    }

    /// Whether something is mounted exactly at `path` (from /proc/self/mountinfo).
    static func isMounted(_ path: String) -> Bool {
        guard let text = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8) else { return false }
        let escaped = path.replacingOccurrences(of: "\\", with: "\\134").replacingOccurrences(of: " ", with: "\\040")
        return text.split(separator: "\n").contains { line in
            let fields = line.split(separator: " ")
            return fields.count > 4 && fields[4] == escaped
        }
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
