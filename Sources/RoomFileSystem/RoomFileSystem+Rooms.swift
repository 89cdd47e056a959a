import ChatEngine
import ChatProtocol
import Foundation
import ObjectStore

extension RoomFileSystem {
    /// Opens the rooms this device writes to (it has a journal for them, or
    /// created them offline). With `background`, each room syncs and uploads
    /// in its own task and the store is searched for rooms this identity was
    /// invited to; without it, tests drive ``syncNow()`` and ``discover()``.
    public func start(background: Bool = true) {
        locked { self.background = background }
        let folder = configuration.stateFolder + "/journal"
        let journaled = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { RoomID.isValid($0) }
        let created = RoomSession.pendingMetadataRooms(stateFolder: configuration.stateFolder)
        for roomID in Set(journaled + created).sorted() {
            do {
                try openRoom(roomID)
            } catch {
                log("room \(roomID) is not mounted: \(error.message)")
            }
        }
        if background {
            let task = Task { [weak self] in
                while !Task.isCancelled {
                    await self?.discover()
                    guard let interval = self?.configuration.discoveryInterval else { return }
                    try? await Task.sleep(for: interval)
                }
            }
            locked { tasks["discovery"] = task }
        }
    }

    /// Stops syncing, then waits up to `flushTimeout` for the journal to be
    /// uploaded. What is still pending stays journaled for the next run.
    public func stop(flushTimeout: Duration = .seconds(10)) async {
        let (running, sessions): ([Task<Void, Never>], [RoomSession]) = locked {
            closing = true
            lock.broadcast()
            let running = Array(tasks.values)
            tasks = [:]
            return (running, rooms.values.map(\.session))
        }
        for task in running { task.cancel() }
        // One deadline for all rooms, so a store that cannot be reached delays
        // an unmount by `flushTimeout`, not by that much per room.
        let deadline = ContinuousClock.now + flushTimeout
        for session in sessions {
            let flushed = await withTaskGroup(of: Bool.self) { group in
                group.addTask { (try? await session.outbox.flush()) != nil }
                group.addTask {
                    try? await Task.sleep(until: deadline)
                    return false
                }
                let first = await group.next() ?? false
                group.cancelAll()
                return first
            }
            let pending = await session.outbox.status.pendingEvents
            if !flushed, pending > 0 {
                log("room \(session.roomID): \(pending) event(s) stay journaled, not yet uploaded; the next mount or `bucketchat flush` uploads them")
            }
            await session.stopUploading()
            // So that the next mount opens the room from its snapshot.
            await session.sync.saveSnapshot()
        }
    }

    /// Opens one room and, in background mode, starts its task.
    @discardableResult
    func openRoom(_ roomID: String) throws(EngineError) -> MountedRoom {
        if let open = locked({ rooms[roomID] }) { return open }
        let c = configuration
        let session = try RoomSession(roomID: roomID, identity: c.identity, store: c.store, stateFolder: c.stateFolder,
                                      cache: c.cache, syncSettings: c.syncSettings, policy: c.uploadPolicy,
                                      verifier: c.verifier(for: roomID))
        return register(session)
    }

    func register(_ session: RoomSession) -> MountedRoom {
        let room = MountedRoom(session: session, nowMs: RoomFileSystem.nowMs())
        let pendingMetadata = session.hasPendingMetadataFile(stateFolder: configuration.stateFolder)
        let background = locked { () -> Bool in
            room.metadataPending = pendingMetadata
            rooms[session.roomID] = room
            return self.background && !closing
        }
        log("room \(session.roomID) mounted")
        if background {
            let task = Task { [weak self] () async -> Void in await self?.runRoom(session) }
            locked { tasks[session.roomID] = task }
        }
        return room
    }

    /// A room's background life: publish its metadata if it was created
    /// here, then upload and sync until the mount stops.
    func runRoom(_ session: RoomSession) async {
        guard await publishMetadata(session, retrying: true) else { return }
        await session.startUploading()
        while !Task.isCancelled {
            await syncOnce(session)
            try? await Task.sleep(for: await session.sync.currentInterval)
        }
    }

    /// Syncs every room once, in order (tests; the mount's tasks do this on their own).
    public func syncNow() async {
        let sessions = locked { rooms.values.map(\.session) }
        for session in sessions.sorted(by: { $0.roomID < $1.roomID }) {
            guard await publishMetadata(session, retrying: false) else { continue }
            await session.startUploading()
            await syncOnce(session)
        }
    }

    /// Waits until everything journaled in every room is uploaded (tests).
    public func flushAll() async throws(EngineError) {
        let sessions = locked { rooms.values.map(\.session) }
        for session in sessions { try await session.outbox.flush() }
    }

    /// Puts the metadata of a room created here in the store; false while it is not there.
    private func publishMetadata(_ session: RoomSession, retrying: Bool) async -> Bool {
        let folder = configuration.stateFolder
        guard session.hasPendingMetadataFile(stateFolder: folder) else { return true }
        var delay = Duration.milliseconds(250)
        while !Task.isCancelled {
            do {
                try await session.publishPendingMetadata(stateFolder: folder)
                locked { rooms[session.roomID]?.metadataPending = false }
                return true
            } catch {
                locked {
                    rooms[session.roomID]?.metadataError = error.message
                }
                log(error.message)
                if error.code == .conflict || !retrying { return false }
            }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(30))
        }
        return false
    }

    /// One poll: fetch, verify, and deliver what changed. When the store
    /// cannot be reached before anything was shown, the cache is shown.
    func syncOnce(_ session: RoomSession) async {
        var updates = SyncDelivery()
        var failure: String?
        do {
            updates = try await session.sync.sync()
        } catch {
            failure = error.message
            if !(locked { rooms[session.roomID]?.loaded ?? true }) { updates = await session.sync.loadCache() }
        }
        // The verification is taken only when something changed and dropped
        // right after: holding it would make the ledger copy its timeline on
        // the next change.
        let verification = updates.isEmpty ? nil : await session.sync.verification
        let status = await session.outbox.status
        deliver(updates, verification: verification, metadata: await session.sync.metadata, status: status, failure: failure, room: session.roomID)
    }

    /// `mkdir MOUNT/NAME`: a new room named NAME, created without waiting on
    /// the store (its metadata is uploaded in the background).
    public func mkdir(_ path: String) throws(FileSystemError) {
        try NodePath.checkNameLengths(path)
        guard case .room(let name)? = NodePath(path) else {
            throw FileSystemError(.notPermitted, "\(path): rooms are made at the top of the mount (mkdir MOUNT/NAME); nothing else can be created")
        }
        guard name.utf8.count <= 200 else {
            throw FileSystemError(.nameTooLong, "\(path.prefix(80))...: a room name is at most 200 bytes, this one is \(name.utf8.count)")
        }
        let taken = locked { self.room(named: name) != nil }
        guard !taken else { throw FileSystemError(.exists, "\(path): a room with this name or id is already mounted") }
        guard !name.hasPrefix("."), !name.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) else {
            throw FileSystemError(.invalid, "\(TimelineLine.escape(path)): a room name must not start with a dot or hold control characters")
        }
        let c = configuration
        let created: (RoomSession, [Event])
        do {
            created = try Blocking.wait { () async throws(EngineError) -> (RoomSession, [Event]) in
                let session = try await RoomSession.createWithoutWaiting(
                    name: name, displayName: c.displayName, identity: c.identity, store: c.store, stateFolder: c.stateFolder,
                    cache: c.cache, syncSettings: c.syncSettings, policy: c.uploadPolicy)
                return (session, await session.outbox.pendingEvents)
            }
        } catch {
            throw FileSystemError(error, path: path)
        }
        let room = register(created.0)
        locked { room.name = name }
        showUnconfirmed(created.1, room: room.roomID)
        log("created room \(room.roomID) named \"\(name)\"")
    }

    /// Rooms are never deleted, renamed or given new files through the mount.
    public func refuseStructureChange(_ path: String, _ what: String) -> FileSystemError {
        FileSystemError(.notPermitted, "\(path): cannot \(what) in a bucketchat mount; rooms are never deleted (leave one with `echo leave > ROOM/ctl`)")
    }

    /// Lists the store for rooms this identity has joined or was invited to
    /// and mounts those not mounted yet. A room checked and found not ours is
    /// checked again only when its number of objects changes.
    ///
    /// Only the room folders are listed (one request per 1,000 rooms), then
    /// the objects of rooms not mounted: a mounted room's sync already follows
    /// it, and listing every object of a busy room every few seconds (30,000
    /// after five minutes of 1,000 senders, millions after a day) would cost
    /// more than following it.
    public func discover() async {
        let store = configuration.store
        let folders: [String]
        do {
            folders = try await store.listFolders(prefix: "rooms/")
        } catch {
            log("listing rooms in \(store.locationDescription) failed: \(error.message); retrying")
            return
        }
        let found = folders.map { String($0.dropFirst("rooms/".count).dropLast()) }.filter { RoomID.isValid($0) }
        let unmounted = locked { found.filter { rooms[$0] == nil && !closing } }
        let me = configuration.identity.senderID
        for roomID in unmounted.sorted() {
            let infos: [ObjectInfo]
            do {
                infos = try await store.list(prefix: RoomObjectKey.roomPrefix(roomID: roomID))
            } catch {
                log("listing room \(roomID) in \(store.locationDescription) failed: \(error.message); retrying")
                continue
            }
            let hasMetadata = infos.contains { $0.key == RoomObjectKey.metadataKey(roomID: roomID) }
            let trusted = configuration.trustedKeys(roomID)
            let seen = NotMine(objects: infos.count, trustedKeys: trusted)
            guard hasMetadata, locked({ notMine[roomID] != seen && rooms[roomID] == nil && !closing }) else { continue }
            let probe = RoomSync(store: store, roomID: roomID, verifier: RoomVerifier(suppliedKeys: trusted), cache: configuration.cache)
            do {
                _ = try await probe.sync(full: true)
            } catch {
                continue
            }
            let verification = await probe.verification
            let membership = verification.state.members[me]?.membership
            // A legacy room (made by another client, declaring no keys) is shown
            // once the user trusts keys that verify some of its events.
            let trustedLegacy = verification.metadata?.isLegacy == true && !verification.accepted.isEmpty
            if membership == .join || membership == .invite || trustedLegacy {
                do {
                    try openRoom(roomID)
                } catch {
                    log("room \(roomID) (\(membership?.rawValue ?? "")) is not mounted: \(error.message)")
                }
            } else {
                locked { notMine[roomID] = seen }
            }
        }
    }
}
