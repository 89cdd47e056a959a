/// A path of the mount, parsed: which node it names, before anything is
/// looked up. Room directories are named by room id; a room's name works
/// too (an alias that `ls` does not list), so `mkdir MOUNT/lobby` is followed
/// by `echo hi > MOUNT/lobby/send`.
enum NodePath: Equatable {
    case root
    case me
    case byName
    case byNameLink(String)
    case room(String)
    case roomFile(String, RoomFile)
    case threads(String)
    case thread(String, String)
    case threadFile(String, String, ThreadFile)
    /// `ROOM/files/`: the files shared in the room.
    case files(String)
    /// `ROOM/files/NAME`: one shared file, or one being written.
    case sharedFile(String, String)

    static let meName = "me"
    static let byNameName = "by-name"
    static let threadsName = "threads"
    static let filesName = "files"
    /// The longest file name, in bytes, as `statfs` reports it (NAME_MAX).
    static let maxNameBytes = 255

    /// Parses a path from the kernel: ENAMETOOLONG for a component over
    /// ``maxNameBytes`` (the kernel passes up to 1,024), ENOENT for a path
    /// no node could ever have.
    static func parse(_ path: String) throws(FileSystemError) -> NodePath {
        try checkNameLengths(path)
        guard let node = NodePath(path) else { throw FileSystemError(.notFound, "\(path): no such file in a bucketchat mount") }
        return node
    }

    /// ENAMETOOLONG when a component of `path` is over ``maxNameBytes``.
    static func checkNameLengths(_ path: String) throws(FileSystemError) {
        if let long = path.split(separator: "/").first(where: { $0.utf8.count > maxNameBytes }) {
            throw FileSystemError(.nameTooLong, "\(path.prefix(80))...: the name \"\(long.prefix(40))...\" is \(long.utf8.count) bytes; names in a bucketchat mount are at most \(maxNameBytes)")
        }
    }

    /// Nil when no node could ever have this path.
    init?(_ path: String) {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        switch parts.count {
        case 0: self = .root
        case 1:
            switch parts[0] {
            case Self.meName: self = .me
            case Self.byNameName: self = .byName
            default: self = .room(parts[0])
            }
        case 2:
            if parts[0] == Self.byNameName { self = .byNameLink(parts[1]); return }
            if parts[0] == Self.meName { return nil }
            if parts[1] == Self.threadsName { self = .threads(parts[0]); return }
            if parts[1] == Self.filesName { self = .files(parts[0]); return }
            guard let file = RoomFile(rawValue: parts[1]) else { return nil }
            self = .roomFile(parts[0], file)
        case 3:
            if parts[1] == Self.filesName, parts[0] != Self.byNameName, parts[0] != Self.meName {
                self = .sharedFile(parts[0], parts[2])
                return
            }
            guard parts[1] == Self.threadsName, parts[0] != Self.byNameName, parts[0] != Self.meName else { return nil }
            self = .thread(parts[0], parts[2])
        case 4:
            guard parts[1] == Self.threadsName, let file = ThreadFile(rawValue: parts[3]) else { return nil }
            self = .threadFile(parts[0], parts[2], file)
        default:
            return nil
        }
    }

    /// The room directory name this path starts with, if any.
    var roomName: String? {
        switch self {
        case .room(let r), .roomFile(let r, _), .threads(let r), .thread(let r, _), .threadFile(let r, _, _),
             .files(let r), .sharedFile(let r, _): r
        default: nil
        }
    }
}
