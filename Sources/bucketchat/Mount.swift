import ArgumentParser
import ChatEngine
import ChatProtocol
import Foundation
import FUSEMount
import RoomFileSystem

/// `bucketchat mount`: every room of this identity as a live directory.
struct Mount: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Mount your rooms as a filesystem: cat and tail -f timeline, echo into send.",
        discussion: """
            Each room is a folder MOUNTPOINT/<room_id> (its name works too, and by-name/ holds \
            links) with timeline, send, ctl, members, state, events.jsonl, alerts, typing, \
            follow and threads/ (docs/fuse.md). `mkdir MOUNTPOINT/NAME` creates a room.

            Runs in the background like sshfs and logs to mount.log in the state folder; -f stays \
            in the foreground and logs to stderr. Unmount with `bucketchat umount MOUNTPOINT` \
            (or fusermount3 -u, SIGTERM, SIGINT): the journal is uploaded first. The mount is \
            private to you unless -o allow_other is given.
            """
    )

    @Argument(help: "An empty folder to mount on (created if missing).")
    var mountpoint: String

    @Flag(name: .customShort("f"), help: "Stay in the foreground and log to stderr.")
    var foreground = false

    @Option(name: .customShort("o"), help: ArgumentHelp("Mount options for libfuse, comma-separated (e.g. allow_other); `syslog` sends the mount's log to the system log instead.", valueName: "opts"))
    var options: [String] = []

    @OptionGroup var trust: TrustOptions
    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        let client = try await Client.load(storeOptions)
        // Read once here, so a bad file fails the mount at once rather than in the daemon's log.
        for file in trust.files { _ = try TrustedKeys.load(file) }
        // One owner per identity and store: a second mount would fight the first
        // for every journal. Said at once, before anything is mounted.
        if let owner = RoomHostClient.find(stateFolder: client.stateFolder), let hello = try? owner.request(JSONObject([("op", "hello")])) {
            if hello["chat"]?.boolValue == true {
                throw CLIError("\(client.identity.senderID)'s rooms in \(client.location) are open in `bucketchat chat` (pid \(hello["pid"]?.intValue ?? 0)): quit it first (a chat started while the mount runs goes through the mount)")
            }
            throw CLIError("\(client.identity.senderID)'s rooms in \(client.location) are already mounted at \(hello["mountpoint"]?.stringValue ?? "?") (pid \(hello["pid"]?.intValue ?? 0)): use that mount (commands of this identity go through it), or `bucketchat umount` it first")
        }
        let path = try MountPoint.prepare(mountpoint)
        try Paths.makePrivateDirectory(Paths.stateDirectory)
        if !foreground {
            try MountDaemon.start(mountpoint: path)
            return
        }
        // `-o syslog` is ours, not libfuse's: the mount's lines go to the system log.
        let fuseOptions = options.flatMap { $0.split(separator: ",").map(String.init) }
        let toSystemLog = fuseOptions.contains("syslog")
        if toSystemLog { SystemLog.open() }
        let log: @Sendable (String) -> Void = { message in
            if toSystemLog {
                SystemLog.write("mount \(path): \(message)")
                return
            }
            let time = ISO8601DateFormatter().string(from: Date())
            FileHandle.standardError.write(Data("\(time) bucketchat mount \(path): \(message)\n".utf8))
        }
        let configuration = MountConfiguration(
            host: client.ownerConfiguration(trustFiles: trust.files, discoveryMs: 15_000, log: log), uid: getuid(), gid: getgid())
        let fileSystem = RoomFileSystem(configuration: configuration)
        await fileSystem.start()
        // Other processes of this identity (CLI commands) act through this mount.
        let server = try RoomHostServer(host: fileSystem.host, about: JSONObject([("mountpoint", .string(path))]))
        server.start()
        let pidFile = MountPoint.pidFile(path)
        try? "\(getpid())\n".write(toFile: pidFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: pidFile) }
        let session = FUSESession(fileSystem: fileSystem, mountpoint: path, options: fuseOptions.filter { $0 != "syslog" })
        let outcome = await MountPoint.serve(session) {
            log("mounted \(client.location) as \(client.identity.senderID)")
            ServiceNotification.send("READY=1\nSTATUS=mounted \(client.location) at \(path)")
        }
        ServiceNotification.send("STOPPING=1\nSTATUS=uploading what is journaled")
        log("unmounted; uploading what is journaled")
        server.stop()
        await fileSystem.stop()
        log("stopped")
        if case .failure(let error) = outcome { throw CLIError(error.message) }
    }
}

extension Client {
    /// A mount polls faster than one-off commands by default (250 ms while a
    /// room is active, 1 s when idle), so `tail -f` sees messages within about
    /// a second; `sync.*` in config.toml still wins.
    var mountSyncSettings: SyncSettings {
        var settings = SyncSettings()
        settings.activeInterval = .milliseconds(250)
        settings.idleInterval = .seconds(1)
        if let ms = try? config.integer("sync.active_interval_ms") { settings.activeInterval = .milliseconds(ms) }
        if let ms = try? config.integer("sync.idle_interval_ms") { settings.idleInterval = .milliseconds(ms) }
        if let s = try? config.integer("sync.full_rescan_s") { settings.fullRescanInterval = .seconds(s) }
        applyNotificationSettings(&settings)
        return settings
    }
}
