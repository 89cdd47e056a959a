import ChatEngine
import ChatProtocol
import Foundation

extension RoomFileSystem {
    /// Writes to `send`, `ctl` or `typing`. Complete lines act at once and the
    /// call returns when they are durable in the journal; an unfinished last
    /// line waits for more, or for close. The offset is ignored: these files
    /// are streams of lines. A file being shared in `files/` takes its bytes
    /// in order: `offset` must be where the last write ended (nil: at the end).
    public func write(handle: UInt64, offset: Int? = nil, bytes: UnsafeRawBufferPointer) throws(FileSystemError) -> Int {
        guard let file = locked({ handles[handle] }) else { throw FileSystemError(.invalid, "write to a file handle that is not open") }
        if case .newFile(let room, let name, let writer) = file.content {
            return try writeNewFile(handle: handle, path: file.path, roomID: room, name: name, writer: writer, offset: offset, bytes: bytes)
        }
        let incoming = Array(bytes)
        switch file.content {
        case .send(let room, let parent, let partial):
            let (byteLines, rest, discarding) = splitLines(partial + incoming, discarding: file.discardingLine)
            if rest.count >= Outbox.maxLineBytes {
                setPartial(handle, [], discarding: true)
                throw refuse(room, path: file.path, FileSystemError(.messageTooLong,
                    "\(file.path): a message of more than \(rest.count) bytes is over the 64 KiB line limit; nothing was sent. Split it into shorter lines."))
            }
            let lines = try decode(byteLines, rest: rest, handle: handle, room: room, path: file.path).filter { !$0.isEmpty }
            if !lines.isEmpty { try sendMessages(lines, room: room, parent: parent, path: file.path) }
            setPartial(handle, rest, discarding: discarding)
        case .ctl(let room, let partial):
            let (byteLines, rest, discarding) = splitLines(partial + incoming, discarding: file.discardingLine)
            if rest.count >= Outbox.maxLineBytes {
                setPartial(handle, [], discarding: true)
                throw refuse(room, path: file.path, FileSystemError(.messageTooLong, "\(file.path): a command over 64 KiB; nothing was done"))
            }
            let commands = try decode(byteLines, rest: rest, handle: handle, room: room, path: file.path).filter { !$0.trimmingSpaces.isEmpty }
            if !commands.isEmpty { try control(commands, room: room, path: file.path) }
            setPartial(handle, rest, discarding: discarding)
        case .typing(let room):
            let text = String(decoding: incoming, as: UTF8.self).trimmingSpaces.replacingOccurrences(of: "\n", with: "")
            let on = !["0", "false", "off", "stop", "no"].contains(text.lowercased())
            let event = try act(.typing(on), room: room, path: file.path)
            showUnconfirmed([event], room: room)
        default:
            throw FileSystemError(.accessDenied, "\(file.path) is read-only")
        }
        return incoming.count
    }

    /// On close (each `close` of a descriptor): the last line, if it has no
    /// newline, is sent now, so `printf hi > send` sends "hi" and a failure
    /// reaches the writer as close's error.
    public func flush(handle: UInt64) throws(FileSystemError) {
        guard let file = locked({ handles[handle] }) else { return }
        switch file.content {
        case .send(let room, let parent, let partial) where !partial.isEmpty:
            setPartial(handle, [], discarding: false)
            guard !file.discardingLine else { return }
            let line = try decode([partial[...]], rest: [], handle: handle, room: room, path: file.path)
            try sendMessages(line, room: room, parent: parent, path: file.path)
        case .ctl(let room, let partial) where !partial.isEmpty:
            setPartial(handle, [], discarding: false)
            guard !file.discardingLine else { return }
            let line = try decode([partial[...]], rest: [], handle: handle, room: room, path: file.path)
            guard !line.allSatisfy({ $0.trimmingSpaces.isEmpty }) else { return }
            try control(line, room: room, path: file.path)
        case .newFile(let room, let name, let writer?) where writer.size > 0:
            // An empty file waits for release: `dd` closes a descriptor it
            // has dup'ed before writing, and that close must not share it.
            try shareNewFile(handle: handle, path: file.path, roomID: room, name: name)
        default:
            return
        }
    }

    /// The last close: sends what ``flush(handle:)`` has not, and forgets the handle.
    public func release(handle: UInt64) {
        do {
            try flush(handle: handle)
            // A file still unshared here is empty (`: > ROOM/files/NAME`).
            if let file = locked({ handles[handle] }), case .newFile(let room, let name, _?) = file.content {
                try shareNewFile(handle: handle, path: file.path, roomID: room, name: name)
            }
        } catch {
            log("\(error.message) (at release)")
        }
        if let file = locked({ handles.removeValue(forKey: handle) }) { closeFileHandle(file, handle: handle) }
    }

    /// `fsync` on `send`, `ctl` or `typing`: sends an unfinished line, then
    /// waits until everything journaled in the room is uploaded. A signal
    /// ends the wait (EINTR); the events stay journaled.
    public func fsync(handle: UInt64, interrupted: () -> Bool = { false }) throws(FileSystemError) {
        try flush(handle: handle)
        guard let file = locked({ handles[handle] }) else { return }
        let roomID: String
        switch file.content {
        case .send(let room, _, _), .ctl(let room, _), .typing(let room): roomID = room
        default: return
        }
        let session = try session(of: roomID, path: file.path)
        do {
            try Blocking.wait(interrupted: interrupted) { () async throws(EngineError) in try await session.outbox.flush() }
        } catch {
            throw FileSystemError(error, path: file.path)
        }
    }

    /// `truncate` (the shell's `>` opens with O_TRUNC): a no-op on the
    /// write-only files, refused on the others.
    public func truncate(_ path: String, size: Int) throws(FileSystemError) {
        guard let node = NodePath(path) else { throw FileSystemError(.notFound, "\(path): no such file") }
        switch node {
        case .sharedFile(_, let name):
            try truncateSharedFile(node, name: name, path: path, size: size)
        case .roomFile(_, .send), .roomFile(_, .ctl), .roomFile(_, .typing), .threadFile(_, _, .send):
            _ = try locked { () throws(FileSystemError) in try roomOf(node, path: path) }
            guard size == 0 else { throw FileSystemError(.notPermitted, "\(path) cannot be resized; write lines to it") }
        default:
            _ = try getattr(path)
            throw FileSystemError(.accessDenied, "\(path) is read-only")
        }
    }

    // MARK: - Acting on the room

    func session(of roomID: String, path: String) throws(FileSystemError) -> RoomSession {
        guard let session = locked({ rooms[roomID]?.session }) else {
            throw FileSystemError(.notFound, "\(path): room \(roomID) is no longer mounted")
        }
        return session
    }

    /// This device's events the sync has not given back yet; without
    /// `includeMessages` only the others (joins, kicks…), which are all a
    /// plain send is checked against.
    func unsynced(_ roomID: String, includeMessages: Bool = true) -> [Event] {
        locked {
            guard let room = rooms[roomID] else { return [] }
            return includeMessages ? Array(room.unsynced.values) : room.unsynced.values.filter { $0.type != EventType.message }
        }
    }

    /// Performs an action and returns its event, durable in the journal.
    func act(_ action: RoomAction, room roomID: String, path: String) throws(FileSystemError) -> Event {
        let session = try session(of: roomID, path: path)
        let unsynced = unsynced(roomID)
        do {
            return try Blocking.wait { () async throws(EngineError) -> Event in try await session.act(action, unsynced: unsynced) }
        } catch {
            throw refuse(roomID, path: path, FileSystemError(error, path: path))
        }
    }

    /// Sends lines as messages (one journal append) and shows them at once.
    func sendMessages(_ lines: [String], room roomID: String, parent: String?, path: String) throws(FileSystemError) {
        let session = try session(of: roomID, path: path)
        let events: [Event]
        // A reply may name a message sent a moment ago; a plain send is checked without messages.
        let unsynced = unsynced(roomID, includeMessages: parent != nil)
        do {
            events = try Blocking.wait { () async throws(EngineError) -> [Event] in
                try await session.sendMessages(lines, replyTo: parent, unsynced: unsynced)
            }
        } catch {
            let refusal = error.code == .invalidEvent
                ? FileSystemError(.messageTooLong, "\(path): \(error.message)")
                : FileSystemError(error, path: path)
            throw refuse(roomID, path: path, refusal)
        }
        showUnconfirmed(events, room: roomID)
    }

    /// Runs `ctl` lines: all must parse before any runs, so a malformed
    /// write does nothing (EINVAL, with the reason in `alerts`).
    func control(_ lines: [String], room roomID: String, path: String) throws(FileSystemError) {
        var actions: [RoomAction] = []
        for line in lines {
            switch ControlCommand.parse(line) {
            // The mount joins under its configured display name.
            case .success(.join(nil)): actions.append(.join(displayName: configuration.displayName))
            case .success(let action): actions.append(action)
            case .failure(let error):
                throw refuse(roomID, path: path, FileSystemError(.invalid, "\(path): \(error.reason); nothing was done"))
            }
        }
        for action in actions {
            showUnconfirmed([try act(action, room: roomID, path: path)], room: roomID)
        }
    }

    /// Records a refused write in the room's `alerts` and the log, and returns it to throw.
    func refuse(_ roomID: String, path: String, _ error: FileSystemError) -> FileSystemError {
        locked {
            if let room = rooms[roomID] {
                let kind = path.hasSuffix("/ctl") ? "ctl" : "write"
                alert(room, kind: kind, code: "\(error.code)", place: path, detail: error.message)
            }
        }
        return error
    }

    /// This device's new events, shown in the timeline before the store gives them back.
    func showUnconfirmed(_ events: [Event], room roomID: String) {
        let key = configuration.identity.key.publicKey
        let waiters: [@Sendable () -> Void] = locked {
            guard let room = rooms[roomID] else { return [] }
            // Every event here is this identity's: one name lookup serves them all.
            let name = room.displayName(of: configuration.identity.senderID) ?? configuration.displayName
            for event in events where room.unconfirmed[event.eventID] == nil {
                room.unsynced[event.eventID] = event
                // A private room's event shows once the sync reads it back and
                // opens it: shown now, it would stay a closed line.
                if event.type == EventType.encrypted || event.type == EventType.roomKey { continue }
                guard let line = TimelineLine.render(VerifiedEvent(unconfirmed: event, signer: key), displayName: name) else { continue }
                room.timeline.append(line)
                room.unconfirmed[event.eventID] = room.timeline.lineCount - 1
                if let parent = event.parentEventID { appendToThread(room, parent: parent, line: line) }
            }
            for event in events {
                if case .message(let message) = event.content { listFile(of: event, message: message, in: room, redacted: false) }
            }
            room.modifiedMs = RoomFileSystem.nowMs()
            lock.broadcast()
            defer { room.pollWaiters = [] }
            return room.pollWaiters
        }
        for wake in waiters { wake() }
    }

    /// Adds a reply's line to its thread, starting the thread with the parent's line.
    /// Call with the lock held.
    func appendToThread(_ room: MountedRoom, parent: String, line: String) {
        if room.threads[parent] == nil {
            var thread = AppendOnlyText()
            let seed = threadSeed(room, parent)
            if !seed.isEmpty { thread.append(seed) }
            room.threads[parent] = thread
            room.threadReferences[EventReference.short(parent)] = parent
        }
        room.threads[parent]?.append(line)
    }

    private func setPartial(_ handle: UInt64, _ partial: [UInt8], discarding: Bool) {
        locked {
            guard var file = handles[handle] else { return }
            switch file.content {
            case .send(let room, let parent, _): file.content = .send(room: room, parent: parent, partial: partial)
            case .ctl(let room, _): file.content = .ctl(room: room, partial: partial)
            default: return
            }
            file.discardingLine = discarding
            handles[handle] = file
        }
    }

    /// The text of a write's complete lines, all of them or none: a line
    /// that is not UTF-8, or an unfinished one that cannot become UTF-8,
    /// refuses the whole write (EILSEQ), as an over-long line does, and the
    /// rest of an unfinished line is dropped up to its newline.
    private func decode(_ lines: [ArraySlice<UInt8>], rest: [UInt8], handle: UInt64, room: String, path: String) throws(FileSystemError) -> [String] {
        var texts: [String] = []
        texts.reserveCapacity(lines.count)
        for (index, line) in lines.enumerated() {
            guard let text = UTF8Text.decode(line) else {
                setPartial(handle, [], discarding: !rest.isEmpty)
                throw refuse(room, path: path, invalidUTF8(path, line: index + 1, of: lines.count, offset: UTF8Text.firstInvalidOffset(line)))
            }
            texts.append(text)
        }
        if !UTF8Text.canContinue(rest) {
            setPartial(handle, [], discarding: true)
            throw refuse(room, path: path, invalidUTF8(path, line: lines.count + 1, of: lines.count + 1, offset: UTF8Text.firstInvalidOffset(rest)))
        }
        return texts
    }

    private func invalidUTF8(_ path: String, line: Int, of count: Int, offset: Int) -> FileSystemError {
        let which = count > 1 ? "line \(line) of the write" : "the line"
        let what = path.hasSuffix("/ctl") ? "nothing was done" : "nothing of the write was sent"
        return FileSystemError(.illegalByteSequence,
            "\(path): \(which) is not valid UTF-8 (at byte \(offset)); \(what). Write text as UTF-8 (convert with iconv -t UTF-8; encode binary data with base64).")
    }

    /// Complete lines (without newlines, `\r` trimmed) and the unfinished rest.
    /// While `discarding`, bytes up to the next newline belong to a refused line.
    private func splitLines(_ bytes: [UInt8], discarding: Bool) -> (lines: [ArraySlice<UInt8>], rest: [UInt8], discarding: Bool) {
        var start = bytes.startIndex
        var dropping = discarding
        var lines: [ArraySlice<UInt8>] = []
        while let newline = bytes[start...].firstIndex(of: 0x0A) {
            if dropping {
                dropping = false
            } else {
                var end = newline
                if end > start, bytes[end - 1] == 0x0D { end -= 1 }
                lines.append(bytes[start..<end])
            }
            start = newline + 1
        }
        return (lines, dropping ? [] : Array(bytes[start...]), dropping)
    }
}
