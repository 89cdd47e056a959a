import ArgumentParser
import ChatEngine
import ChatProtocol
import Foundation
import ObjectStore
import Stores

/// Options every command that talks to a store takes.
struct StoreOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Where rooms live: a folder, file:///path, s3://bucket/prefix or gs://bucket/prefix (default: $BUCKETCHAT_STORE, else `store` in config.toml, else the local store).",
        valueName: "url"))
    var store: String?
}

/// A command's view of the user's setup: settings (config file, then
/// environment, then flags), identity and store.
struct Client {
    let config: ConfigFile
    let identity: DeviceIdentity
    let displayName: String?
    let location: StoreLocation
    let store: any ObjectStore

    static func load(_ options: StoreOptions) throws -> Client {
        let config = try ConfigFile(path: Paths.configFile)
        let keyPath = config["key_file"] ?? Paths.defaultKeyFile
        guard FileManager.default.fileExists(atPath: keyPath) else {
            throw CLIError("no identity yet: run `bucketchat init --name NAME` first (looked for \(keyPath))")
        }
        let keyFile = try KeyFile.load(path: keyPath)
        guard let clientID = config["client_id"] else {
            throw CLIError("\(Paths.configFile) has no client_id; run `bucketchat init --name NAME` to set up this device")
        }
        let identity = DeviceIdentity(senderID: keyFile.senderID, clientID: clientID, key: keyFile.key)
        let text = options.store ?? Paths.environment["BUCKETCHAT_STORE"] ?? config["store"]
        let location: StoreLocation
        do {
            if let text { location = try StoreLocation(parsing: text) } else { location = StoreLocation.defaultFolder() }
        } catch {
            throw CLIError(error.message)
        }
        let store: any ObjectStore
        do {
            store = try location.open()
        } catch {
            throw CLIError(error.message)
        }
        return Client(config: config, identity: identity, displayName: config["display_name"], location: location, store: store)
    }

    /// Fetched objects, per store, so a restart fetches only new ones.
    var cache: ObjectCache? {
        let name = String(location.description.unicodeScalars.map { RoomID.isValid(String($0)) ? Character($0) : "_" })
        return try? ObjectCache(directory: URL(fileURLWithPath: Paths.dataDirectory + "/cache/" + name))
    }

    var syncSettings: SyncSettings {
        var settings = SyncSettings()
        if let ms = try? config.integer("sync.active_interval_ms") { settings.activeInterval = .milliseconds(ms) }
        if let ms = try? config.integer("sync.idle_interval_ms") { settings.idleInterval = .milliseconds(ms) }
        if let s = try? config.integer("sync.full_rescan_s") { settings.fullRescanInterval = .seconds(s) }
        return settings
    }

    var uploadPolicy: UploadPolicy {
        if let ms = try? config.integer("upload.interval_ms"), ms > 0 { return .fixed(.milliseconds(ms)) }
        return .standard
    }

    /// Opens a room for this identity and brings its view up to date. A store
    /// that cannot be reached is reported on stderr; the cached view is used.
    func open(_ roomID: String, refresh: Bool = true) async throws -> RoomSession {
        let session = try RoomSession(roomID: roomID, identity: identity, store: store, stateFolder: Paths.stateDirectory,
                                      cache: cache, syncSettings: syncSettings, policy: uploadPolicy)
        await session.startUploading()
        if refresh {
            let bar: ProgressBar? = isatty(2) == 1 ? ProgressBar(label: "syncing \(roomID)") : nil
            var report: (@Sendable (Int, Int) -> Void)?
            if let bar { report = { done, total in bar.update(done, of: total) } }
            let error = await session.refresh(progress: report).error
            bar?.finish()
            // A first open writes the room's snapshot in the background; the
            // command waits for it, so that the next one opens fast.
            await session.sync.snapshotWritten()
            if let error {
                // Access refused will not pass by waiting: working from an
                // empty cache would look like an empty room.
                let refused: Bool
                switch error.code {
                case .accessDenied, .noSuchBucket, .missingCredentials: refused = true
                default: refused = false
                }
                if refused {
                    await session.stopUploading()
                    throw EngineError(.storeRefused, "no read permission on \(location) for room \(roomID): \(error.message) Ask the bucket's owner for read access (docs/deployment.md).")
                }
                Output.warn("\(location) cannot be reached (\(error.message)); working from the last synced state of \(roomID)")
            }
        }
        return session
    }

    /// Rooms this device has written to (it has a journal for them).
    var journaledRooms: [String] {
        let folder = Paths.stateDirectory + "/journal"
        let rooms = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return rooms.filter { RoomID.isValid($0) }.sorted()
    }
}

/// Writing to stdout and stderr.
enum Output {
    static func warn(_ message: String) {
        FileHandle.standardError.write(Data("bucketchat: \(message)\n".utf8))
    }

    static func json(_ value: JSONValue) {
        FileHandle.standardOutput.write(Data(CanonicalJSON.encode(value) + [0x0A]))
    }
}

extension RoomSession {
    /// Waits until the journal is uploaded, or `limit` passes (nil: no limit).
    /// Returns whether everything is uploaded.
    func settle(within limit: Duration?) async throws -> Bool {
        guard let limit else {
            try await outbox.flush()
            return true
        }
        let outbox = self.outbox
        return try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await outbox.flush()
                return true
            }
            group.addTask {
                try await Task.sleep(for: limit)
                return false
            }
            let first = try await group.next() ?? false
            group.cancelAll()
            return first
        }
    }
}
