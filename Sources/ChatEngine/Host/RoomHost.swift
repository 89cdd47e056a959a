import ChatProtocol
import Foundation
import ObjectStore

/// The one owner of an identity's open rooms in one store.
///
/// It knows which rooms exist here (journaled, created here and not yet
/// uploaded, found by discovery), runs each room's life (publish the metadata
/// of a room created here, upload, sync, back off, fall back to the cache),
/// searches the store for rooms this identity was invited to, and stops with
/// a flush deadline. Faces watch a room's ``views(of:)`` stream (or, when they
/// must render synchronously with the host, as the mount does, observe every
/// ``RoomHostEvent``), and act through the sessions it hands out. A face
/// renders and translates; it runs no room loop of its own.
public actor RoomHost {
    public nonisolated let configuration: RoomHostConfiguration

    private var sessions: [String: RoomSession] = [:]
    private var tasks: [String: Task<Void, Never>] = [:]
    private var observe: @Sendable (RoomHostEvent) -> Void = { _ in }
    /// Rooms that have delivered a view: a failed sync before that shows the cache.
    var loaded: Set<String> = []
    /// Rooms discovery checked and found not ours, with what it saw then:
    /// a change of either is worth a new look.
    private var notMine: [String: NotMine] = [:]
    /// Set by ``stop(flushTimeout:)``: nothing new opens.
    var closing = false
    /// Streams of views, by room and watcher number (``views(of:)``).
    var watchers: [String: [Int: AsyncStream<RoomView>.Continuation]] = [:]
    var nextWatcher = 0
    /// Rooms being synced or subscribed to right now, and who waits for them.
    var busy: Set<String> = []
    var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]
    /// Whether rooms get background tasks (tests drive ``syncNow()`` and ``discover()``).
    private var background = false
    /// The store's notifications, followed for every open room, when they are on.
    public private(set) var follower: NotificationFollower?

    private struct NotMine: Equatable {
        let objects: Int
        let trustedKeys: [String: [PublicKey]]
    }

    public init(configuration: RoomHostConfiguration) {
        self.configuration = configuration
    }

    /// The open rooms, by id.
    public var roomIDs: [String] { sessions.keys.sorted() }

    /// The rooms this device writes to in this store: it has a journal for
    /// them, or created them and their metadata is not uploaded yet.
    public nonisolated var writtenRooms: [String] {
        let folder = configuration.stateFolder
        return Set(Journal.rooms(stateFolder: folder) + RoomSession.pendingMetadataRooms(stateFolder: folder)).sorted()
    }

    /// An open room's session.
    public func session(_ roomID: String) -> RoomSession? { sessions[roomID] }

    /// Opens the rooms this device writes to (it has a journal for them, or
    /// created them offline) and tells `observe` of each. With `background`,
    /// each room syncs and uploads in its own task and the store is searched
    /// for invitations every ``RoomHostConfiguration/discoveryInterval``.
    public func start(background: Bool = true, observe: @escaping @Sendable (RoomHostEvent) -> Void) {
        self.observe = observe
        self.background = background
        let c = configuration
        if background, c.syncSettings.notifications == .auto, let notifications = c.store.notifications {
            let follower = NotificationFollower(notifications: notifications, subscriber: "\(c.identity.senderID)/\(c.identity.clientID)",
                                                queue: c.syncSettings.notificationQueue, log: c.log)
            self.follower = follower
            Task { await follower.start() }
        }
        for roomID in writtenRooms {
            do {
                try open(roomID)
            } catch {
                c.log("room \(roomID) is not open: \(error.message)")
            }
        }
        if background {
            tasks["discovery"] = Task { [weak self] in
                while !Task.isCancelled {
                    await self?.discover()
                    guard let interval = self?.configuration.discoveryInterval else { return }
                    try? await Task.sleep(for: interval)
                }
            }
        }
    }

    /// Opens one room (once) and, in background mode, starts its life.
    @discardableResult
    public func open(_ roomID: String) throws(EngineError) -> RoomSession {
        if let open = sessions[roomID] { return open }
        let c = configuration
        let session = try RoomSession(roomID: roomID, identity: c.identity, store: c.store, stateFolder: c.stateFolder,
                                      cache: c.cache, syncSettings: c.syncSettings, policy: c.uploadPolicy,
                                      verifier: c.verifier(for: roomID), epochPolicy: c.epochPolicy)
        register(session)
        return session
    }

    /// Opens a room for a command that acts once and leaves (no background
    /// life): a room created here has its metadata put in the store first,
    /// if the store takes it, and uploading starts only once the metadata is
    /// there, so a room's events never reach the store before it.
    public func openToAct(_ roomID: String) async throws(EngineError) -> RoomSession {
        let session = try open(roomID)
        if await publishMetadata(session, retrying: false) { await session.startUploading() }
        return session
    }

    /// Creates a room named `name` without waiting on the store: its metadata
    /// waits in the state folder and goes out before any of its events.
    public func create(name: String, description: String = "", joinRule: RoomMetadata.JoinRule = .invite,
                       isPrivate: Bool = false) async throws(EngineError) -> RoomSession {
        let c = configuration
        let session = try await RoomSession.createWithoutWaiting(
            name: name, description: description, joinRule: joinRule, isPrivate: isPrivate, displayName: c.displayName, identity: c.identity,
            store: c.store, stateFolder: c.stateFolder, cache: c.cache, syncSettings: c.syncSettings, policy: c.uploadPolicy,
            epochPolicy: c.epochPolicy)
        register(session)
        c.log("created room \(session.roomID) named \"\(name)\"")
        return session
    }

    private func register(_ session: RoomSession) {
        sessions[session.roomID] = session
        observe(.opened(session, metadataPending: session.hasPendingMetadataFile(stateFolder: configuration.stateFolder)))
        configuration.log("room \(session.roomID) open")
        if background && !closing {
            let follower = self.follower
            tasks[session.roomID] = Task { [weak self] in
                await follower?.add(session.sync)
                await self?.live(session)
            }
        }
    }

    /// A room's background life: publish its metadata if it was created
    /// here, then upload and sync until the host stops.
    private func live(_ session: RoomSession) async {
        guard await publishMetadata(session, retrying: true) else { return }
        await session.startUploading()
        while !Task.isCancelled {
            await syncOnce(session)
            // Woken early by a notification's hint when notifications are on.
            await session.sync.waitForWork(upTo: await session.sync.currentInterval)
        }
    }

    /// Syncs every room once, in order (tests; background tasks do this on their own).
    public func syncNow() async {
        for roomID in sessions.keys.sorted() {
            guard let session = sessions[roomID], await publishMetadata(session, retrying: false) else { continue }
            await session.startUploading()
            await syncOnce(session)
        }
    }

    /// Waits until everything journaled in every room is uploaded.
    public func flushAll() async throws(EngineError) {
        for session in sessions.values { try await session.outbox.flush() }
    }

    /// Puts the metadata of a room created here in the store; false while it
    /// is not there. With `retrying`, backs off (250 ms doubling to 30 s) until
    /// it is, or the room's task is cancelled; a conflict is final.
    private func publishMetadata(_ session: RoomSession, retrying: Bool) async -> Bool {
        let folder = configuration.stateFolder
        guard session.hasPendingMetadataFile(stateFolder: folder) else { return true }
        var delay = Duration.milliseconds(250)
        while !Task.isCancelled {
            do {
                try await session.publishPendingMetadata(stateFolder: folder)
                observe(.metadataPublished(roomID: session.roomID))
                return true
            } catch {
                observe(.metadataFailed(roomID: session.roomID, message: error.message))
                configuration.log(error.message)
                if error.code == .conflict || !retrying { return false }
            }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(30))
        }
        return false
    }

    /// One poll: fetch, verify, and tell the observer what changed. When the
    /// store cannot be reached before anything was shown, the cache is shown.
    private func syncOnce(_ session: RoomSession) async {
        let roomID = session.roomID
        await enter(roomID)
        defer { leave(roomID) }
        // Keys the user trusts for a legacy room's senders may have changed
        // since it opened (`keys trust` one sender at a time).
        await session.sync.trust(configuration.trustedKeys(roomID))
        var updates = SyncDelivery()
        var failure: String?
        do {
            updates = try await session.sync.sync()
        } catch {
            failure = error.message
            if !loaded.contains(roomID) { updates = await session.sync.loadCache() }
        }
        if failure == nil || !updates.isEmpty { loaded.insert(roomID) }
        // The verification is taken only when something changed, and dropped
        // by the observer right after.
        let verification = updates.isEmpty ? nil : await session.sync.verification
        let view = RoomView(roomID: roomID, updates: updates, verification: verification, metadata: await session.sync.metadata,
                            upload: await session.outbox.status, failure: failure)
        observe(.synced(view))
        publish(view)
        if let failure { configuration.log("room \(roomID): sync failed: \(failure); retrying") }
    }

    /// Lists the store for rooms this identity has joined or was invited to
    /// (and legacy rooms whose keys the user trusts) and opens those not open
    /// yet. A room checked and found not ours is checked again only when its
    /// number of objects or its trusted keys change.
    ///
    /// Only the room folders are listed (one request per 1,000 rooms), then
    /// the objects of rooms not open: an open room's sync already follows it,
    /// and listing every object of a busy room every few seconds would cost
    /// more than following it.
    public func discover() async {
        let c = configuration
        let store = c.store
        let folders: [String]
        do {
            folders = try await store.listFolders(prefix: "rooms/")
        } catch {
            c.log("listing rooms in \(store.locationDescription) failed: \(error.message); retrying")
            return
        }
        let found = folders.map { String($0.dropFirst("rooms/".count).dropLast()) }.filter { RoomID.isValid($0) }
        let me = c.identity.senderID
        for roomID in found.sorted() where sessions[roomID] == nil && !closing {
            let infos: [ObjectInfo]
            do {
                infos = try await store.list(prefix: RoomObjectKey.roomPrefix(roomID: roomID))
            } catch {
                c.log("listing room \(roomID) in \(store.locationDescription) failed: \(error.message); retrying")
                continue
            }
            let hasMetadata = infos.contains { $0.key == RoomObjectKey.metadataKey(roomID: roomID) }
            let trusted = c.trustedKeys(roomID)
            let seen = NotMine(objects: infos.count, trustedKeys: trusted)
            guard hasMetadata, notMine[roomID] != seen, sessions[roomID] == nil, !closing else { continue }
            let probe = RoomSync(store: store, roomID: roomID, verifier: RoomVerifier(suppliedKeys: trusted), cache: c.cache)
            do {
                _ = try await probe.sync(full: true)
            } catch {
                continue
            }
            let verification = await probe.verification
            let membership = verification.state.members[me]?.membership
            // A legacy room (made by another client, declaring no keys) is opened
            // once the user trusts keys that verify some of its events.
            let trustedLegacy = verification.metadata?.isLegacy == true && !verification.accepted.isEmpty
            guard sessions[roomID] == nil, !closing else { continue }
            if membership == .join || membership == .invite || trustedLegacy {
                do {
                    try open(roomID)
                } catch {
                    c.log("room \(roomID) (\(membership?.rawValue ?? "legacy")) is not open: \(error.message)")
                }
            } else {
                notMine[roomID] = seen
            }
        }
    }

    /// Stops syncing, then waits up to `flushTimeout` for the journals to be
    /// uploaded. What is still pending stays journaled for the next run.
    public func stop(flushTimeout: Duration = .seconds(10)) async {
        closing = true
        await follower?.stop()
        let running = Array(tasks.values)
        tasks = [:]
        for task in running { task.cancel() }
        // One deadline for all rooms, so a store that cannot be reached delays
        // a stop by `flushTimeout`, not by that much per room.
        let deadline = ContinuousClock.now + flushTimeout
        for session in sessions.values.sorted(by: { $0.roomID < $1.roomID }) {
            // A room whose background life was cancelled before it began
            // uploading (created just now, its metadata not out yet, on a
            // starved pool) would otherwise wait for an uploader that never
            // starts: one try at the metadata, then upload. One try may
            // outlast the deadline by one request.
            if ContinuousClock.now < deadline, await publishMetadata(session, retrying: false) { await session.startUploading() }
            let flushed = (try? await session.outbox.flush(until: deadline)) ?? false
            let pending = await session.outbox.status.pendingEvents
            if !flushed, pending > 0 {
                configuration.log("room \(session.roomID): \(pending) event(s) stay journaled, not yet uploaded; the next start or `bucketchat flush` uploads them")
            }
            await session.stopUploading()
            // So that the next start opens the room from its snapshot.
            await session.sync.saveSnapshot()
        }
        // Lets go of the journals (once the faces drop their sessions too).
        sessions = [:]
        finishViews()
    }
}
