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
    /// This identity's state for this store: journals, rooms created here, pins.
    let state: StoreStateFolder

    var stateFolder: String { state.path }

    /// Reads the settings and identity and opens the store. State kept by an
    /// earlier version for all stores at once moves into this store's folder.
    static func load(_ options: StoreOptions) async throws -> Client {
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
        var store: any ObjectStore
        do {
            store = try location.open()
        } catch {
            throw CLIError(error.message)
        }
        if Verbosity.logsRequests { store = LoggedStore(store) }
        let state = StoreStateFolder(root: Paths.stateDirectory, storeDescription: location.description)
        let moved = await state.migrateUnscopedState(store: store)
        if !moved.isEmpty {
            Output.warn("this device's state is now kept per store: moved the journals of \(moved.count) room(s) of \(location) into \(state.path)")
        }
        return Client(config: config, identity: identity, displayName: config["display_name"], location: location, store: store, state: state)
    }

    /// Fetched objects, per store, so a restart fetches only new ones.
    var cache: ObjectCache? {
        try? ObjectCache(directory: URL(fileURLWithPath: Paths.dataDirectory + "/cache/" + StoreStateFolder.id(for: location.description)))
    }

    var syncSettings: SyncSettings {
        var settings = SyncSettings()
        if let ms = try? config.integer("sync.active_interval_ms") { settings.activeInterval = .milliseconds(ms) }
        if let ms = try? config.integer("sync.idle_interval_ms") { settings.idleInterval = .milliseconds(ms) }
        if let s = try? config.integer("sync.full_rescan_s") { settings.fullRescanInterval = .seconds(s) }
        applyNotificationSettings(&settings)
        return settings
    }

    /// When a private room's epoch is used up (`[private]` in config.toml).
    var epochPolicy: EpochPolicy {
        var policy = EpochPolicy.standard
        if let n = try? config.integer("private.rotate_after_events"), n > 0 { policy.maxEvents = n }
        if let days = try? config.integer("private.rotate_after_days"), days > 0 { policy.maxAgeMs = Int64(days) * 86_400_000 }
        return policy
    }

    /// `sync.notifications`, `sync.notification_listing_s`, `sync.notification_queue` (docs/sync.md).
    func applyNotificationSettings(_ settings: inout SyncSettings) {
        if let mode = config["sync.notifications"].flatMap(NotificationMode.init(rawValue:)) { settings.notifications = mode }
        if let s = try? config.integer("sync.notification_listing_s"), s > 0 { settings.notifiedListingInterval = .seconds(s) }
        if let queue = config["sync.notification_queue"], !queue.isEmpty { settings.notificationQueue = queue }
    }

    var uploadPolicy: UploadPolicy {
        if let ms = try? config.integer("upload.interval_ms"), ms > 0 { return .fixed(.milliseconds(ms)) }
        return .standard
    }

    /// The rooms of this store as this identity names them.
    var directory: RoomDirectory {
        RoomDirectory(store: store, stateFolder: stateFolder, cache: cache)
    }

    /// The room the user named: a room id, or a room's unique name. A name
    /// that names no room with valid metadata is refused (exit 2) with the
    /// closest matches, before anything is opened or written.
    func resolve(_ text: String) async throws -> RoomDirectory.Room {
        do {
            return try await directory.resolve(text)
        } catch {
            switch error.code {
            case .notFound, .ambiguous: throw CLIError(error.message)
            default: throw error
            }
        }
    }

    /// The keys trusted for a legacy room's senders (`bucketchat keys trust`, `--trusted-keys`).
    func trustedKeys(_ roomID: String, files: [String]) throws -> [String: [PublicKey]] {
        try TrustedKeys.load(room: roomID, extra: files).keys
    }

    /// The owner of this identity's rooms in this store, for a command that
    /// runs without a mount: it opens the rooms the command acts in, and
    /// knows which rooms this device writes to. `trusted` are the keys the
    /// user trusts for legacy rooms' senders, by room id.
    func host(trusted: [String: [String: [PublicKey]]] = [:]) -> RoomHost {
        RoomHost(configuration: RoomHostConfiguration(
            identity: identity, displayName: displayName, store: store, stateFolder: stateFolder, cache: cache,
            syncSettings: syncSettings, uploadPolicy: uploadPolicy, epochPolicy: epochPolicy, trustedKeys: { trusted[$0] ?? [:] }))
    }

    /// The configuration of a long-running owner of this identity's rooms (a
    /// mount, `chat`, `serve`): the mount's sync settings, the upload and
    /// epoch policies of config.toml, discovery every
    /// `mount.discovery_interval_ms` (default `discoveryMs`), and the keys
    /// trusted for legacy rooms read from `trustFiles` at each use (a file
    /// that cannot be read is logged and ignored).
    func ownerConfiguration(trustFiles: [String], discoveryMs: Int, log: @escaping @Sendable (String) -> Void) -> RoomHostConfiguration {
        RoomHostConfiguration(
            identity: identity, displayName: displayName, store: store, stateFolder: stateFolder,
            cache: cache, syncSettings: mountSyncSettings, uploadPolicy: uploadPolicy, epochPolicy: epochPolicy,
            discoveryInterval: .milliseconds((try? config.integer("mount.discovery_interval_ms")) ?? nil ?? discoveryMs),
            trustedKeys: { roomID in
                do {
                    return try TrustedKeys.load(room: roomID, extra: trustFiles).keys
                } catch {
                    log("room \(roomID): trusted keys not used: \(error)")
                    return [:]
                }
            },
            log: log)
    }

    /// Opens a room to act in it through a ``RoomHost``: resolves the name,
    /// takes its journal and brings its view up to date. A store that cannot
    /// be reached is reported on stderr; the cached view is used.
    func open(_ text: String, trustFiles: [String] = [], refresh: Bool = true) async throws -> RoomSession {
        let roomID = try await resolve(text).roomID
        let session = try await host(trusted: [roomID: try trustedKeys(roomID, files: trustFiles)]).openToAct(roomID)
        if refresh {
            do {
                try await catchUp(session.sync)
            } catch {
                await session.stopUploading()
                throw error
            }
        }
        return session
    }

    /// Opens a room to read it, without a journal: reading never makes a room
    /// look joined. Writes nothing but the cache and, on first sight, the
    /// room's creator-key pin (trust on first use, PROTOCOL.md §5).
    func read(_ text: String, trust: TrustOptions, refresh: Bool = true) async throws -> RoomSync {
        let roomID = try await resolve(text).roomID
        var verifier = RoomVerifier(suppliedKeys: try trustedKeys(roomID, files: trust.files))
        // This device's key opens what a private room sealed to it.
        verifier.readerKeys = [identity.key]
        let sync = RoomSync(store: store, roomID: roomID, verifier: verifier,
                            settings: syncSettings, cache: cache,
                            creatorKeyPin: CreatorKeyPin(stateFolder: stateFolder, roomID: roomID))
        if refresh { try await catchUp(sync) }
        return sync
    }

    /// Syncs a room's view once, with a progress bar on a terminal. When the
    /// store cannot be reached the cached view is used and a warning printed;
    /// when it refuses access, that is an error: an empty cache would look
    /// like an empty room.
    func catchUp(_ sync: RoomSync) async throws {
        let roomID = sync.roomID
        let bar: ProgressBar? = isatty(2) == 1 ? ProgressBar(label: "syncing \(roomID)") : nil
        var report: (@Sendable (Int, Int) -> Void)?
        if let bar { report = { done, total in bar.update(done, of: total) } }
        var failure: StoreError?
        do {
            _ = try await sync.sync(progress: report)
        } catch {
            failure = error
            _ = await sync.loadCache()
        }
        bar?.finish()
        // A first open writes the room's snapshot in the background; the
        // command waits for it, so that the next one opens fast.
        await sync.snapshotWritten()
        guard let error = failure else { return }
        switch error.code {
        case .accessDenied, .noSuchBucket, .missingCredentials:
            throw EngineError(.storeRefused, "no read permission on \(location) for room \(roomID): \(error.message) Ask the bucket's owner for read access (docs/deployment.md).")
        default:
            Output.warn("\(location) cannot be reached (\(error.message)); working from the last synced state of \(roomID)")
        }
    }

    /// Rooms this device writes to in this store (``RoomHost/writtenRooms``).
    var writtenRooms: [String] { host().writtenRooms }
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
