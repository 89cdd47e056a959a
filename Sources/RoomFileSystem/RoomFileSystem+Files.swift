import ChatEngine
import ChatProtocol

/// `ROOM/files/`: the room's shared files, read from their verified local
/// copy, and new ones shared by writing them there (docs/fuse.md).
extension RoomFileSystem {
    // MARK: - Listing

    /// Lists the file a message shares, if it shares one (`message`: the
    /// event's own content, or what a private room's event opened to). Call
    /// with the lock held.
    func listFile(of event: Event, message: MessageContent?, in room: MountedRoom, redacted: Bool) {
        guard let message, let file = message.file else { return }
        room.files.add(eventID: event.eventID, file: file, timestampMs: event.timestampMs, redacted: redacted)
    }

    /// `stat` of `files/` or a file in it. Call with the lock held.
    func fileAttributes(of node: NodePath, in room: MountedRoom, path: String) throws(FileSystemError) -> NodeAttributes {
        switch node {
        case .files:
            return NodeAttributes(kind: .directory, mode: 0o500, size: 0, links: 2, modifiedMs: room.modifiedMs)
        case .sharedFile(_, let name):
            if let listed = room.files.file(named: name) {
                return NodeAttributes(kind: .file, mode: 0o444, size: Int(listed.size), modifiedMs: listed.timestampMs)
            }
            // Being written: only its writer can use it, and it is shared at close.
            if let handle = room.filesBeingWritten[name] {
                var size = 0
                if case .newFile(_, _, let writer?)? = handles[handle]?.content { size = Int(writer.size) }
                return NodeAttributes(kind: .file, mode: 0o200, size: size, modifiedMs: RoomFileSystem.nowMs())
            }
            throw noSuchFile(room, name, path: path)
        default:
            throw FileSystemError(.notFound, "\(path): not in files/")
        }
    }

    /// `ls ROOM/files`: the shared files, and those being written here. Call with the lock held.
    func fileNames(in room: MountedRoom) -> [DirectoryEntry] {
        let names = Set(room.files.names).union(room.filesBeingWritten.keys)
        return names.sorted().map { DirectoryEntry($0, .file) }
    }

    func noSuchFile(_ room: MountedRoom, _ name: String, path: String) -> FileSystemError {
        FileSystemError(.notFound, "\(path): room \(room.roomID) has no shared file named \(TimelineLine.escape(name)) (`ls` its files/ folder)")
    }

    // MARK: - Reading

    /// Opens a shared file for reading. The first open of a file this device
    /// does not hold downloads it (``RoomSession/fetchFile(_:limit:)``, which
    /// checks its size and SHA-256) without holding the lock, and a signal
    /// ends the wait (EINTR); reads then never wait. Bytes that are not the
    /// file the event names give EIO, and the alarm goes to `alerts`.
    func openSharedFile(_ node: NodePath, name: String, path: String, write: Bool,
                        interrupted: () -> Bool) throws(FileSystemError) -> OpenResult {
        let (roomID, session, listed) = try locked { () throws(FileSystemError) -> (String, RoomSession, ListedFile) in
            let room = try roomOf(node, path: path)
            guard let listed = room.files.file(named: name) else {
                if room.filesBeingWritten[name] != nil {
                    throw FileSystemError(.accessDenied, "\(path) is being written; it is shared when its writer closes it")
                }
                throw noSuchFile(room, name, path: path)
            }
            guard !write else {
                throw FileSystemError(.accessDenied, "\(path): shared files are read-only (write-once); share another with `cp FILE ROOM/files/NEWNAME`")
            }
            return (room.roomID, room.session, listed)
        }
        var local = RoomFileSystem.localCopy(of: listed, session: session)
        if local == nil {
            do {
                local = try Blocking.wait(interrupted: interrupted) { () async throws(EngineError) -> String in
                    try await session.fetchFile(listed.eventID)
                }
            } catch {
                throw fetchFailure(error, roomID: roomID, listed: listed, path: path)
            }
        }
        guard let local else { throw FileSystemError(.io, "\(path): no local copy of \(TimelineLine.escape(name)) in room \(roomID)") }
        let fd: Int32
        switch LocalFile.openForReading(local) {
        case .success(let opened): fd = opened
        case .failure(let failure):
            throw FileSystemError(.io, "\(path): cannot open the verified copy of \(TimelineLine.escape(name)) in room \(roomID) (\(local)): \(failure.description)")
        }
        // The cache checked the bytes when they arrived; a copy changed since is not served.
        guard LocalFile.size(fd) == listed.size else {
            LocalFile.close(fd)
            throw FileSystemError(.io, "\(path): the local copy of \(TimelineLine.escape(name)) in room \(roomID) (\(local)) is not \(listed.size) bytes as its event says; it changed on disk")
        }
        return locked {
            let handle = nextHandle
            nextHandle += 1
            handles[handle] = OpenFile(path: path, content: .sharedFile(room: roomID, fd: fd, size: Int(listed.size)))
            // The bytes never change (they are named by their hash): the page cache may keep them.
            return OpenResult(handle: handle, directIO: false, nonSeekable: false)
        }
    }

    /// The verified copy already on this device, found without the session's
    /// actor (which may be busy verifying a sync): this device's own share in
    /// the blob area, or a download in the cache. Both are named by their
    /// SHA-256 and were checked when they got there; the size is checked again.
    static func localCopy(of listed: ListedFile, session: RoomSession) -> String? {
        guard MessageContent.FileInfo.isSHA256Hex(listed.sha256) else { return nil }
        for path in [session.outbox.blobs.path(of: listed.sha256), session.attachments.folder + "/" + listed.sha256] {
            if case .success(let fd) = LocalFile.openForReading(path) {
                defer { LocalFile.close(fd) }
                if LocalFile.size(fd) == listed.size { return path }
            }
        }
        return nil
    }

    /// A failed fetch as the reader sees it; a mismatched or missing file is
    /// also told once in the room's `alerts` (the engine keeps its alarm).
    private func fetchFailure(_ error: EngineError, roomID: String, listed: ListedFile, path: String) -> FileSystemError {
        let alarm: AlarmKind?
        switch error.code {
        case .attachmentMismatch: alarm = .attachmentMismatch
        case .attachmentMissing: alarm = .attachmentMissing
        default: alarm = nil
        }
        if let alarm {
            locked {
                guard let room = rooms[roomID], room.fileAlarmsShown.insert(listed.eventID).inserted else { return }
                room.alarmCount += 1
                alert(room, kind: "alarm", code: alarm.rawValue, place: EventReference.short(listed.eventID), detail: error.message)
            }
        } else {
            log("room \(roomID): \(path): \(error.message)")
        }
        return fileError(error, path: path)
    }

    /// Adds to a newly mounted room's `alerts` the shared files that failed
    /// their check before (a `bucketchat download`, an earlier mount): the
    /// engine keeps those alarms (``RoomSession/attachmentAlarms()``).
    func showRecordedFileAlarms(_ session: RoomSession) {
        Task { [weak self] in
            let alarms = await session.attachmentAlarms()
            guard let self, !alarms.isEmpty else { return }
            locked {
                guard let room = rooms[session.roomID] else { return }
                for alarm in alarms where room.fileAlarmsShown.insert(alarm.eventID ?? alarm.detail).inserted {
                    alert(room, kind: "alarm", code: alarm.kind.rawValue, place: alarm.eventID.map(EventReference.short) ?? alarm.senderID ?? "-",
                          detail: alarm.detail)
                }
            }
        }
    }

    /// Reads a shared file's bytes with `pread`, straight into `buffer`, without the lock.
    func readSharedFile(fd: Int32, size: Int, offset: Int, into buffer: UnsafeMutableRawBufferPointer,
                        path: String) throws(FileSystemError) -> Int {
        guard offset >= 0, offset < size else { return 0 }
        let target = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<min(buffer.count, size - offset)])
        switch LocalFile.read(fd, at: offset, into: target) {
        case .success(let count): return count
        case .failure(let failure): throw FileSystemError(.io, "\(path): reading the local copy failed: \(failure.description)")
        }
    }

    // MARK: - Sharing

    /// `create` of `files/NAME` (`cp FILE ROOM/files/`, `cat > ROOM/files/NAME`):
    /// a write-only handle whose bytes go into the room's blob area; the file
    /// is shared when the handle is closed. Anything else cannot be created.
    public func create(_ path: String) throws(FileSystemError) -> OpenResult {
        try NodePath.checkNameLengths(path)
        guard let node = NodePath(path), case .sharedFile(_, let name) = node else {
            throw refuseStructureChange(path, "create a file")
        }
        if let problem = MessageContent.FileInfo.nameProblem(name) {
            throw FileSystemError(.invalid, "\(TimelineLine.escape(path)): cannot share a file so named: the name \(problem)")
        }
        let (roomID, session) = try locked { () throws(FileSystemError) -> (String, RoomSession) in
            let room = try roomOf(node, path: path)
            if room.files.isGiven(name) || room.filesBeingWritten[name] != nil {
                throw FileSystemError(.exists, "\(path): room \(room.roomID) already has a file named \(TimelineLine.escape(name)); shared files are write-once, pick another name")
            }
            // Reserved (handle 0) while the blob is started outside the lock.
            room.filesBeingWritten[name] = 0
            return (room.roomID, room.session)
        }
        let writer: BlobWriter
        do {
            writer = try session.beginFile(name: name)
        } catch {
            locked { rooms[roomID]?.filesBeingWritten[name] = nil }
            throw refuse(roomID, path: path, fileError(error, path: path))
        }
        return locked {
            let handle = nextHandle
            nextHandle += 1
            handles[handle] = OpenFile(path: path, content: .newFile(room: roomID, name: name, writer: writer))
            rooms[roomID]?.filesBeingWritten[name] = handle
            // Not direct I/O: with it the kernel splits a large write into
            // requests sent at once (async DIO), which can arrive out of
            // order; through the page cache a writer's requests come in turn.
            return OpenResult(handle: handle, directIO: false, nonSeekable: false)
        }
    }

    /// Appends a write to a file being shared. Writes must be sequential
    /// (`cp`, `cat >`, `dd` write so): a write at another offset is EINVAL.
    /// `offset` nil means "at the end".
    func writeNewFile(handle: UInt64, path: String, roomID: String, name: String, writer: BlobWriter?, offset: Int?,
                      bytes: UnsafeRawBufferPointer) throws(FileSystemError) -> Int {
        guard let writer else {
            throw FileSystemError(.invalid, "\(path) was already shared (or failed) when a descriptor of it was closed; shared files are write-once")
        }
        if let offset, Int64(offset) != writer.size {
            // A file with a hole or an overwrite is not what was meant: nothing is shared.
            writer.cancel()
            endNewFile(handle, roomID: roomID, name: name)
            throw FileSystemError(.invalid, "\(path): a file shared through the mount is written from start to end; this write is at offset \(offset), after \(writer.size) bytes; nothing was shared")
        }
        do {
            try writer.append(bytes)
        } catch {
            // The writer discarded its bytes: the name is free again.
            endNewFile(handle, roomID: roomID, name: name)
            throw refuse(roomID, path: path, fileError(error, path: path))
        }
        return bytes.count
    }

    /// The first close of a file being shared: makes its bytes durable, then
    /// journals its `m.file` message (close's error, if it fails). Later
    /// closes of the same handle (a `dup`) do nothing.
    func shareNewFile(handle: UInt64, path: String, roomID: String, name: String) throws(FileSystemError) {
        let taken: BlobWriter? = locked {
            guard var file = handles[handle], case .newFile(let room, let name, let writer?) = file.content else { return nil }
            file.content = .newFile(room: room, name: name, writer: nil)
            handles[handle] = file
            return writer
        }
        guard let writer = taken else { return }
        // The name stays reserved until the file is listed (or has failed).
        defer { endNewFile(handle, roomID: roomID, name: name) }
        let blob: StoredBlob
        do {
            blob = try writer.finish()
        } catch {
            throw refuse(roomID, path: path, fileError(error, path: path))
        }
        let session = try session(of: roomID, path: path)
        let unsynced = unsynced(roomID, includeMessages: false)
        let event: Event
        do {
            event = try Blocking.wait { () async throws(EngineError) -> Event in
                try await session.shareBlob(blob, name: name, unsynced: unsynced)
            }
        } catch {
            throw refuse(roomID, path: path, fileError(error, path: path))
        }
        showUnconfirmed([event], room: roomID)
    }

    /// Frees a name reserved by `handle`, and drops its writer.
    private func endNewFile(_ handle: UInt64, roomID: String, name: String) {
        locked {
            if rooms[roomID]?.filesBeingWritten[name] == handle { rooms[roomID]?.filesBeingWritten[name] = nil }
            if var file = handles[handle], case .newFile(let room, let name, _) = file.content {
                file.content = .newFile(room: room, name: name, writer: nil)
                handles[handle] = file
            }
        }
    }

    /// `truncate` in `files/`: shared files are write-once (EPERM). A file
    /// being written may be truncated to the size it has (`dd` does that).
    func truncateSharedFile(_ node: NodePath, name: String, path: String, size: Int) throws(FileSystemError) {
        try locked { () throws(FileSystemError) in
            let room = try roomOf(node, path: path)
            if let handle = room.filesBeingWritten[name], case .newFile(_, _, let writer?)? = handles[handle]?.content,
               Int64(size) == writer.size {
                return
            }
            guard room.files.isGiven(name) || room.filesBeingWritten[name] != nil else { throw noSuchFile(room, name, path: path) }
            throw FileSystemError(.notPermitted, "\(path): shared files are write-once and cannot be resized")
        }
    }

    /// Forgets what a closed handle held: the descriptor of a shared file's
    /// copy, or the unfinished bytes of a file that was never shared.
    func closeFileHandle(_ file: OpenFile, handle: UInt64) {
        switch file.content {
        case .sharedFile(_, let fd, _):
            LocalFile.close(fd)
        case .newFile(let roomID, let name, let writer):
            writer?.cancel()
            endNewFile(handle, roomID: roomID, name: name)
        default:
            break
        }
    }

    /// An engine failure on a shared file: over the size limit is EFBIG.
    func fileError(_ error: EngineError, path: String) -> FileSystemError {
        error.code == .fileTooLarge ? FileSystemError(.fileTooLarge, "\(path): \(error.message)") : FileSystemError(error, path: path)
    }
}
