/// A private room's key epochs as the timeline has set them up, and what this
/// reader could open (docs/private-rooms.md).
///
/// Which epoch is current is the same for every reader: the last
/// epoch-starting `m.room.key` in timeline order, so two members rotating
/// at once converge on one. What a reader can open depends on the keys it
/// holds: a device opens the epochs sealed to it.
public struct RoomEpochs: Sendable {
    /// One epoch: started by a key event, widened by later ones that share its key.
    public struct Epoch: Sendable {
        public let id: String
        public let startedBy: String
        public let startedAtMs: Int64
        /// The devices the key was sealed to.
        public internal(set) var recipients: Set<PublicKey>
        /// Encrypted events accepted under this epoch.
        public internal(set) var events: Int
    }

    /// An encrypted event's inner type and content, once opened.
    public struct Opened: Sendable {
        public let type: String
        public let content: EventContent
        public let epoch: String
    }

    /// Epochs by id (the id of the key event that started each).
    public internal(set) var byID: [String: Epoch] = [:]
    /// The epoch new events should use, unless ``needsRotation`` says start another.
    public internal(set) var current: String?
    /// A member left, was removed or revoked a key after the current epoch
    /// began: the next encrypted event must come under a new epoch.
    public internal(set) var removalSinceCurrent = false
    /// Opened content of encrypted events, by event id.
    public internal(set) var opened: [String: Opened] = [:]
    /// Encrypted events this reader holds the key for that did not open, with why.
    public internal(set) var damaged: [String: String] = [:]
    /// Epoch keys this reader holds, by epoch id.
    var keys: [String: RoomKey] = [:]

    /// No epochs: a room that is not private, or not read yet.
    public init() {}

    /// The key of an epoch, if this reader holds it.
    public func key(of epoch: String) -> RoomKey? { keys[epoch] }

    /// Alarms for ciphertexts that did not open although this reader holds their epoch's key.
    public var alarms: [Alarm] {
        damaged.sorted { $0.key < $1.key }.map {
            Alarm(kind: .undecryptable, senderID: nil, eventID: $0.key, detail: $0.value)
        }
    }
}

extension RoomState {
    /// The message an event carries: its own content, or in a private room
    /// what this reader opened; nil for anything else.
    public func message(of event: Event) -> MessageContent? {
        if event.type.hasSameBytes(as: EventType.message), case .message(let message) = event.content { return message }
        guard event.type == EventType.encrypted, case .message(let message)? = epochs.opened[event.eventID]?.content else { return nil }
        return message
    }
}
