/// A room's resolved state (PROTOCOL.md §6, §7): who is in it with which
/// keys, its name and topic, and what edits, redactions, reactions and
/// threads did to the timeline.
///
/// The same set of events gives every reader the same state: it is built by
/// ``RoomStateResolver`` in timeline order.
public struct RoomState: Sendable {
    /// Membership as it stands (a kick leaves `leave`).
    public enum Membership: String, Sendable {
        case join, invite, leave, ban
    }

    /// One sender's standing in the room.
    public struct Member: Sendable {
        public internal(set) var membership: Membership
        public internal(set) var displayName: String?
        /// Keys trusted now, in the order they were added.
        public internal(set) var keys: [PublicKey] = []
        /// Keys once trusted and since revoked.
        public internal(set) var revokedKeys: [PublicKey] = []
        /// Device ids named by the sender's joins.
        public internal(set) var devices: [String] = []
        /// The key an invite pinned: the join must use it.
        public internal(set) var pinnedKey: PublicKey?
        public internal(set) var everJoined = false
    }

    /// What an accepted event is, as later references need it.
    struct EventRef: Sendable, Equatable {
        let senderID: String
        let type: String
        let timestampMs: Int64
    }

    public let roomID: String
    public let creator: String?
    public let admins: [String]
    public internal(set) var name: String?
    public internal(set) var topic: String?
    public internal(set) var members: [String: Member] = [:]
    /// Every accepted event id, for references (redacts, replaces, relates_to, parent).
    var events = EventTable()
    /// Ids of redacted events, in the order they were redacted.
    public internal(set) var redacted: [String] = []
    var redactedSet: Set<ExactString> = []
    /// Edit events per target, in timeline order: (edit event id, new content).
    var editHistory: [ExactString: [(editID: String, content: MessageContent)]] = [:]
    /// Reaction events in timeline order: (reaction event id, target, key, sender).
    var reactionEvents: [(eventID: String, target: String, reaction: String, sender: String)] = []
    /// Child event ids per thread parent, in timeline order.
    public internal(set) var threadChildren: [String: [String]] = [:]
    /// Each sender's latest typing event: (timestamp, typing).
    var typingEvents: [String: (timestampMs: Int64, typing: Bool)] = [:]
    /// A private room's epochs and what this reader opened (empty elsewhere).
    public internal(set) var epochs = RoomEpochs()

    init(roomID: String, metadata: RoomMetadata?) {
        self.roomID = roomID
        self.creator = metadata?.creator
        self.admins = metadata?.admins ?? []
        self.name = metadata?.name
    }

    /// Whether a sender is an admin (named in metadata.json).
    public func isAdmin(_ senderID: String) -> Bool { admins.contains(senderID) }

    /// Whether an event id names an accepted event.
    public func contains(eventID: String) -> Bool { events[ExactString(eventID)] != nil }

    /// The timestamp of an accepted event, or nil when no accepted event has this id.
    public func timestampMs(of eventID: String) -> Int64? { events[ExactString(eventID)]?.timestampMs }

    /// Whether an event's content is hidden by a redaction.
    public func isRedacted(_ eventID: String) -> Bool { redactedSet.contains(ExactString(eventID)) }

    /// Membership per sender.
    public var membership: [String: Membership] { members.mapValues(\.membership) }

    /// Senders invited who never joined.
    public var invitedNeverJoined: [String] {
        members.filter { $0.value.membership == .invite && !$0.value.everJoined }.map(\.key).sorted()
    }

    /// The content that stands for a message after edits: the latest edit not itself redacted.
    public func currentEdit(of eventID: String) -> (editID: String, content: MessageContent)? {
        editHistory[ExactString(eventID)]?.last { !isRedacted($0.editID) }
    }

    /// Every edited message's current body.
    public var edits: [String: String] {
        var out: [String: String] = [:]
        for (target, _) in editHistory {
            if let edit = currentEdit(of: target.value) { out[target.value] = edit.content.body }
        }
        return out
    }

    /// Reactions per target and reaction key: the senders, in order of first reaction,
    /// leaving out reactions that were redacted.
    public var reactions: [String: [String: [String]]] {
        var out: [String: [String: [String]]] = [:]
        for r in reactionEvents where !isRedacted(r.eventID) {
            var senders = out[r.target, default: [:]][r.reaction, default: []]
            if !senders.contains(r.sender) { senders.append(r.sender) }
            out[r.target, default: [:]][r.reaction] = senders
        }
        return out
    }

    /// The ids of a sender's reactions `reaction` to `target` that still
    /// count (not redacted), oldest first: what redacting takes a reaction back.
    public func reactionEvents(to target: String, reaction: String, by sender: String) -> [String] {
        reactionEvents.filter { $0.target == target && $0.reaction == reaction && $0.sender == sender && !isRedacted($0.eventID) }
            .map(\.eventID)
    }

    /// Senders typing at `nowMs`: their latest typing event says true and is at most 15 s old.
    public func typing(nowMs: Int64) -> [String] {
        typingEvents.filter { $0.value.typing && nowMs - $0.value.timestampMs <= 15_000 && $0.value.timestampMs <= nowMs + 15_000 }
            .map(\.key).sorted()
    }

    /// Trusted keys per sender, in the order they were added.
    public var trustedKeys: [String: [PublicKey]] {
        members.compactMapValues { $0.keys.isEmpty ? nil : $0.keys }
    }
}
