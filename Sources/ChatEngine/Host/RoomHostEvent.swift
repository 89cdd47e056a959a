/// What a ``RoomHost`` tells the face that observes it, in order per room.
public enum RoomHostEvent: Sendable {
    /// A room is open: journaled here, created here, or found by discovery.
    /// `metadataPending`: created here, its metadata not in the store yet.
    case opened(RoomSession, metadataPending: Bool)
    /// The metadata of a room created here is in the store now.
    case metadataPublished(roomID: String)
    /// The metadata of a room created here could not be put in the store (why); retried.
    case metadataFailed(roomID: String, message: String)
    /// One sync of a room.
    case synced(RoomView)
}
