import ChatProtocol

/// A file shared in a room, as `bucketchat files` and the mount's `files/` list it.
public struct SharedFile: Sendable, Equatable {
    /// The `m.file` event's id.
    public let eventID: String
    /// Its short reference (``EventReference/short(_:)``).
    public var reference: String { EventReference.short(eventID) }
    public let senderID: String
    public let timestampMs: Int64
    /// The message's body: the caption, or the file's name.
    public let body: String
    public let file: MessageContent.FileInfo
}
