/// The files of a room directory, with their honest permissions.
public enum RoomFile: String, CaseIterable, Sendable {
    case timeline, send, ctl, members, state
    case events = "events.jsonl"
    case alerts, typing, follow

    /// Owner permission bits: the mount is private, so group and other get none.
    var mode: UInt32 {
        switch self {
        case .send, .ctl: 0o200
        case .typing: 0o600
        default: 0o400
        }
    }

    var readable: Bool { mode & 0o400 != 0 }
    var writable: Bool { mode & 0o200 != 0 }
}

/// The files of a thread directory (`threads/<REF>/`).
public enum ThreadFile: String, CaseIterable, Sendable {
    case timeline, send

    var mode: UInt32 { self == .send ? 0o200 : 0o400 }
}
