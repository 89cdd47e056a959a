import ChatEngine
import ChatProtocol

extension RoomFileSystem {
    /// `stat`: kind, permissions and the exact size of what a read would give now.
    public func getattr(_ path: String) throws(FileSystemError) -> NodeAttributes {
        let node = try NodePath.parse(path)
        return try locked { () throws(FileSystemError) -> NodeAttributes in
            switch node {
            case .root:
                return NodeAttributes(kind: .directory, mode: 0o700, size: 0, links: 2 + shownRooms.count, modifiedMs: startedMs)
            case .me:
                return NodeAttributes(kind: .file, mode: 0o400, size: meText().utf8.count, modifiedMs: startedMs)
            case .byName:
                return NodeAttributes(kind: .directory, mode: 0o500, size: 0, links: 2, modifiedMs: startedMs)
            case .byNameLink(let name):
                guard let id = roomNames().first(where: { $0.name == name })?.roomID else {
                    throw FileSystemError(.notFound, "\(path): no room is named \"\(name)\" here")
                }
                return NodeAttributes(kind: .symlink, mode: 0o777, size: ("../" + id).utf8.count, modifiedMs: startedMs)
            default:
                let room = try roomOf(node, path: path)
                return try attributes(of: node, in: room, path: path)
            }
        }
    }

    /// The room a path lies in. Call with the lock held.
    func roomOf(_ node: NodePath, path: String) throws(FileSystemError) -> MountedRoom {
        guard let name = node.roomName, let room = room(named: name) else {
            throw FileSystemError(.notFound, "\(path): no such room in this mount (`ls` the mount for room ids; `mkdir` creates a room)")
        }
        return room
    }

    private func attributes(of node: NodePath, in room: MountedRoom, path: String) throws(FileSystemError) -> NodeAttributes {
        let modified = room.modifiedMs
        switch node {
        case .room:
            return NodeAttributes(kind: .directory, mode: 0o500, size: 0, links: 4, modifiedMs: modified)
        case .roomFile(_, let file):
            let size: Int
            switch file {
            case .timeline: size = room.timeline.size
            case .events: size = room.events.size
            case .alerts: size = room.alerts.size
            case .members: size = membersText(room).utf8.count
            case .state: size = stateText(room).utf8.count
            case .typing: size = typingText(room).utf8.count
            case .send, .ctl, .follow: size = 0
            }
            return NodeAttributes(kind: .file, mode: file.mode, size: size, modifiedMs: modified)
        case .threads:
            return NodeAttributes(kind: .directory, mode: 0o500, size: 0, links: 2 + room.threads.count, modifiedMs: modified)
        case .thread(_, let reference):
            _ = try threadParent(room, reference, path: path)
            return NodeAttributes(kind: .directory, mode: 0o500, size: 0, links: 2, modifiedMs: modified)
        case .threadFile(_, let reference, let file):
            let parent = try threadParent(room, reference, path: path)
            let size = file == .timeline ? (room.threads[parent]?.size ?? threadSeed(room, parent).utf8.count) : 0
            return NodeAttributes(kind: .file, mode: file.mode, size: size, modifiedMs: modified)
        case .files, .sharedFile:
            return try fileAttributes(of: node, in: room, path: path)
        default:
            throw FileSystemError(.notFound, "\(path): not in a room")
        }
    }

    /// The event a `threads/<REF>` name stands for: a thread that has replies,
    /// or any message by its REF (a thread with none yet). Call with the lock held.
    func threadParent(_ room: MountedRoom, _ reference: String, path: String) throws(FileSystemError) -> String {
        if let parent = room.threadReferences[reference] { return parent }
        if let event = room.events.message(withReference: reference) { return event.eventID }
        if let own = room.unconfirmed.keys.first(where: { EventReference.short($0) == reference }) { return own }
        throw FileSystemError(.notFound, "\(path): no message of room \(room.roomID) has the REF \(reference) (use the REF a timeline line shows)")
    }

    /// What a thread's timeline holds before its first reply: the parent's line.
    func threadSeed(_ room: MountedRoom, _ parent: String) -> String {
        guard let line = room.events.timelineLine(of: parent) ?? room.unconfirmed[parent] else { return "" }
        return String(decoding: room.timeline.line(line), as: UTF8.self)
    }

    /// `ls`: the names in a directory.
    public func readdir(_ path: String) throws(FileSystemError) -> [DirectoryEntry] {
        let node = try NodePath.parse(path)
        return try locked { () throws(FileSystemError) -> [DirectoryEntry] in
            switch node {
            case .root:
                return [DirectoryEntry(NodePath.meName, .file), DirectoryEntry(NodePath.byNameName, .directory)]
                    + shownRooms.keys.sorted().map { DirectoryEntry($0, .directory) }
            case .byName:
                return roomNames().map { DirectoryEntry($0.name, .symlink) }
            case .room:
                _ = try roomOf(node, path: path)
                return RoomFile.allCases.map { DirectoryEntry($0.rawValue, .file) }
                    + [DirectoryEntry(NodePath.threadsName, .directory), DirectoryEntry(NodePath.filesName, .directory)]
            case .files:
                return fileNames(in: try roomOf(node, path: path))
            case .threads:
                let room = try roomOf(node, path: path)
                return room.threadReferences.keys.sorted().map { DirectoryEntry($0, .directory) }
            case .thread(_, let reference):
                let room = try roomOf(node, path: path)
                _ = try threadParent(room, reference, path: path)
                return ThreadFile.allCases.map { DirectoryEntry($0.rawValue, .file) }
            default:
                throw FileSystemError(.notDirectory, "\(path) is a file, not a directory")
            }
        }
    }

    /// Where a `by-name` link points: `../<room_id>`.
    public func readlink(_ path: String) throws(FileSystemError) -> String {
        guard case .byNameLink(let name)? = NodePath(path) else {
            throw FileSystemError(.invalid, "\(path) is not a link; only by-name/ holds links")
        }
        return try locked { () throws(FileSystemError) -> String in
            guard let id = roomNames().first(where: { $0.name == name })?.roomID else {
                throw FileSystemError(.notFound, "\(path): no room is named \"\(name)\" here")
            }
            return "../" + id
        }
    }
}
