import Foundation

extension RoomFileSystem {
    /// Opens a file. `write` is whether the caller asked to write. Files whose
    /// content is fixed at open or streams (`members`, `state`, `follow`, ...)
    /// are direct I/O; the append-only files go through the page cache, kept
    /// across opens, which the kernel drops when their size changes (see
    /// docs/fuse.md).
    /// A shared file in `files/` may wait for its download (see
    /// ``openSharedFile(_:name:path:write:interrupted:)``), without the lock;
    /// `interrupted` ends that wait.
    public func open(_ path: String, write: Bool, read: Bool, interrupted: () -> Bool = { false }) throws(FileSystemError) -> OpenResult {
        let node = try NodePath.parse(path)
        if case .sharedFile(_, let name) = node {
            return try openSharedFile(node, name: name, path: path, write: write, interrupted: interrupted)
        }
        return try locked { () throws(FileSystemError) -> OpenResult in
            let content: OpenFile.Content
            var directIO = true
            var nonSeekable = false
            switch node {
            case .me:
                guard !write else { throw FileSystemError(.accessDenied, "\(path) is read-only") }
                content = .snapshot(Array(meText().utf8))
            case .roomFile(_, let file):
                let room = try roomOf(node, path: path)
                if write && !file.writable { throw FileSystemError(.accessDenied, "\(path) is read-only; write to send or ctl") }
                if read && !file.readable { throw FileSystemError(.accessDenied, "\(path) is write-only; read timeline or follow") }
                switch file {
                case .timeline: content = .timeline(room: room.roomID); directIO = false
                case .events: content = .events(room: room.roomID); directIO = false
                case .alerts: content = .alerts(room: room.roomID); directIO = false
                case .members: content = .snapshot(Array(membersText(room).utf8))
                case .state: content = .snapshot(Array(stateText(room).utf8))
                case .typing: content = write ? .typing(room: room.roomID) : .snapshot(Array(typingText(room).utf8))
                case .follow:
                    content = .follow(room: room.roomID, position: room.timeline.size)
                    nonSeekable = true
                case .send: content = .send(room: room.roomID, parent: nil, partial: [])
                case .ctl: content = .ctl(room: room.roomID, partial: [])
                }
            case .threadFile(_, let reference, let file):
                let room = try roomOf(node, path: path)
                let parent = try threadParent(room, reference, path: path)
                switch file {
                case .timeline:
                    guard !write else { throw FileSystemError(.accessDenied, "\(path) is read-only; write to the thread's send") }
                    content = .thread(room: room.roomID, parent: parent)
                    directIO = false
                case .send:
                    guard !read else { throw FileSystemError(.accessDenied, "\(path) is write-only; read the thread's timeline") }
                    content = .send(room: room.roomID, parent: parent, partial: [])
                }
            case .sharedFile:
                throw FileSystemError(.notFound, "\(path): no such file")
            case .root, .byName, .room, .threads, .thread, .files:
                throw FileSystemError(.isDirectory, "\(path) is a directory")
            case .byNameLink:
                throw FileSystemError(.notFound, "\(path): follow the link to the room")
            }
            let handle = nextHandle
            nextHandle += 1
            handles[handle] = OpenFile(path: path, content: content)
            return OpenResult(handle: handle, directIO: directIO, nonSeekable: nonSeekable)
        }
    }

    /// Reads into `buffer` from `offset`; returns the byte count, 0 at end of
    /// file. A read of `follow` at its end waits for the next line, checking
    /// `interrupted` (a signal) every 200 ms.
    public func read(handle: UInt64, offset: Int, into buffer: UnsafeMutableRawBufferPointer,
                     interrupted: () -> Bool = { false }) throws(FileSystemError) -> Int {
        // A shared file is read from its local copy without the lock: the
        // descriptor stays open until release, which the kernel never sends
        // while a read of the handle is under way.
        if let file = locked({ handles[handle] }), case .sharedFile(_, let fd, let size) = file.content {
            return try readSharedFile(fd: fd, size: size, offset: offset, into: buffer, path: file.path)
        }
        lock.lock()
        defer { lock.unlock() }
        guard let file = handles[handle] else { throw FileSystemError(.invalid, "read of a file handle that is not open") }
        switch file.content {
        case .snapshot(let bytes):
            guard offset >= 0, offset < bytes.count else { return 0 }
            let count = min(buffer.count, bytes.count - offset)
            bytes.withUnsafeBytes { source in
                guard let from = source.baseAddress, let to = buffer.baseAddress else { return }
                to.copyMemory(from: from + offset, byteCount: count)
            }
            return count
        case .timeline(let id):
            return rooms[id]?.timeline.read(at: offset, into: buffer) ?? 0
        case .events(let id):
            return rooms[id]?.events.read(at: offset, into: buffer) ?? 0
        case .alerts(let id):
            return rooms[id]?.alerts.read(at: offset, into: buffer) ?? 0
        case .thread(let id, let parent):
            guard let room = rooms[id] else { return 0 }
            if let thread = room.threads[parent] { return thread.read(at: offset, into: buffer) }
            var seed = AppendOnlyText()
            let line = threadSeed(room, parent)
            if !line.isEmpty { seed.append(line) }
            return seed.read(at: offset, into: buffer)
        case .follow(let id, let position):
            while true {
                guard let room = rooms[id] else { return 0 }
                if position < room.timeline.size {
                    let count = room.timeline.read(at: position, into: buffer)
                    handles[handle]?.content = .follow(room: id, position: position + count)
                    return count
                }
                if closing { return 0 }
                if interrupted() { throw FileSystemError(.interrupted, "\(file.path): read interrupted") }
                _ = lock.wait(until: Date(timeIntervalSinceNow: 0.2))
            }
        case .send, .ctl, .typing, .newFile:
            throw FileSystemError(.accessDenied, "\(file.path) is write-only")
        case .sharedFile:
            return 0
        }
    }

    /// Whether a read would return at once. When it would block (`follow` at
    /// its end), `notify` is kept and called once the timeline grows.
    public func poll(handle: UInt64, notify: (@Sendable () -> Void)?) throws(FileSystemError) -> Bool {
        try locked { () throws(FileSystemError) -> Bool in
            guard let file = handles[handle] else { throw FileSystemError(.invalid, "poll of a file handle that is not open") }
            guard case .follow(let id, let position) = file.content, let room = rooms[id] else { return true }
            if position < room.timeline.size || closing { return true }
            if let notify { room.pollWaiters.append(notify) }
            return false
        }
    }
}
