/// What a writer in a private room encrypts an event under: an epoch and its
/// key (docs/private-rooms.md).
public struct EventSeal: Sendable {
    /// The id of the key event that started the epoch.
    public let epoch: String
    public let key: RoomKey

    public init(epoch: String, key: RoomKey) {
        self.epoch = epoch
        self.key = key
    }
}
