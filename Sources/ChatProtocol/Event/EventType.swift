/// The event types of PROTOCOL.md §7.
public enum EventType {
    public static let message = "m.room.message"
    public static let member = "m.room.member"
    public static let redaction = "m.room.redaction"
    public static let edit = "m.room.edit"
    public static let reaction = "m.room.reaction"
    public static let typing = "m.room.typing"
    public static let name = "m.room.name"
    public static let topic = "m.room.topic"
}

extension EventType {
    /// A private room's epoch key, sealed to member devices (docs/private-rooms.md).
    public static let roomKey = "m.room.key"
    /// Another event's type and content, encrypted under an epoch key.
    public static let encrypted = "m.room.encrypted"
}
