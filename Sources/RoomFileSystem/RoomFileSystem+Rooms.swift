import ChatEngine
import ChatProtocol
import Foundation
import ObjectStore

extension RoomFileSystem {
    /// Opens the rooms (the host's work) and shows each as it opens and
    /// syncs. With `background`, the host runs every room and discovery on its
    /// own; without it, tests drive ``syncNow()`` and ``discover()``.
    public func start(background: Bool = true) async {
        await host.start(background: background) { [weak self] event in self?.show(event) }
    }

    /// Ends blocked reads, then stops the host: it waits up to `flushTimeout`
    /// for the journals to be uploaded.
    public func stop(flushTimeout: Duration = .seconds(10)) async {
        locked {
            closing = true
            lock.broadcast()
        }
        await host.stop(flushTimeout: flushTimeout)
    }

    /// Syncs every room once (tests).
    public func syncNow() async { await host.syncNow() }

    /// Waits until everything journaled in every room is uploaded (tests).
    public func flushAll() async throws(EngineError) { try await host.flushAll() }

    /// Looks for rooms this identity was invited to (tests; the host does it on its own).
    public func discover() async { await host.discover() }

    /// Shows what the host tells: a room opened, its metadata published, a sync.
    func show(_ event: RoomHostEvent) {
        switch event {
        case .opened(let session, let metadataPending):
            let room = MountedRoom(session: session, nowMs: RoomFileSystem.nowMs())
            room.metadataPending = metadataPending
            locked { rooms[session.roomID] = room }
            log("room \(session.roomID) mounted")
            showRecordedFileAlarms(session)
        case .metadataPublished(let roomID):
            locked {
                rooms[roomID]?.metadataPending = false
                rooms[roomID]?.metadataError = nil
            }
        case .metadataFailed(let roomID, let message):
            locked { rooms[roomID]?.metadataError = message }
        case .synced(let view):
            deliver(view)
        }
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
        let host = self.host
        let created: (RoomSession, [Event])
        do {
            // The host tells of the new room (`.opened`) before this returns.
            created = try Blocking.wait { () async throws(EngineError) -> (RoomSession, [Event]) in
                let session = try await host.create(name: name)
                return (session, await session.outbox.pendingEvents)
            }
        } catch {
            throw FileSystemError(error, path: path)
        }
        let roomID = created.0.roomID
        locked { rooms[roomID]?.name = name }
        showUnconfirmed(created.1, room: roomID)
    }

    /// Rooms are never deleted, renamed or given new files through the mount.
    public func refuseStructureChange(_ path: String, _ what: String) -> FileSystemError {
        if case .sharedFile? = NodePath(path) {
            return FileSystemError(.notPermitted, "\(path): cannot \(what): shared files are write-once (redact the file's message with `echo 'redact REF' > ROOM/ctl` to take it back)")
        }
        return FileSystemError(.notPermitted, "\(path): cannot \(what) in a bucketchat mount; rooms are never deleted (leave one with `echo leave > ROOM/ctl`)")
    }
}
