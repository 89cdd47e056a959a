import ArgumentParser
import Foundation

/// `bucketchat umount`: unmounts, then waits for the daemon to upload its journal and exit.
struct Unmount: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "umount",
        abstract: "Unmount a bucketchat mount and wait up to 30 s for its daemon to exit.",
        discussion: """
            The daemon first uploads what it journaled, for up to 10 s; whatever is not uploaded by \
            then stays in the journal, and the next mount or `bucketchat flush` uploads it. A dead \
            mount (its daemon was killed) is detached at once.
            """
    )

    @Argument(help: "The mount point.")
    var mountpoint: String

    func run() async throws {
        let path = URL(fileURLWithPath: mountpoint).standardizedFileURL.path
        if MountPoint.isDeadEndpoint(path) {
            print(try MountPoint.detachDead(path))
            return
        }
        guard let entry = MountEntry.at(path) else { throw CLIError("nothing is mounted at \(path)") }
        guard entry.isBucketChat else {
            throw CLIError("\(path) is not a bucketchat mount (\(entry.type) of \(entry.source)); unmount it with fusermount3 -u or umount")
        }
        let pid = (try? String(contentsOfFile: MountPoint.pidFile(path), encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["fusermount3", "-u", path]
        do {
            try process.run()
        } catch {
            throw CLIError("cannot run fusermount3 (install fuse3): \(error.localizedDescription)")
        }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CLIError("fusermount3 -u \(path) failed; close files open under the mount (lsof \(path)) and try again")
        }
        guard let pid else {
            print("unmounted \(path) (its daemon left no pid file, so this did not wait for its upload; see \(MountPoint.logFile))")
            return
        }
        let deadline = Date().addingTimeInterval(30)
        while kill(pid, 0) == 0, Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        if kill(pid, 0) == 0 {
            Output.warn("unmounted \(path), but its daemon (pid \(pid)) is still running after 30 s; see \(MountPoint.logFile)")
        } else {
            print("unmounted \(path); its daemon (pid \(pid)) uploaded what it could and exited (anything left is journaled: see \(MountPoint.logFile))")
        }
    }
}
