import ChatEngine
import ChatProtocol

/// One room as the web face shows it: the delivered timeline (kept as the
/// engine's verified events, rendered on request), this device's events the
/// store has not given back yet, the alerts, and the little of the room's
/// resolved state that changes how earlier lines look (edits, reactions,
/// redactions, threads, names). Nothing here is derived from events by the
/// face: it is read off the engine's ``RoomState`` after each sync.
final class FaceRoom {
    let roomID: String
    var session: RoomSession?

    /// Delivered events in the order the engine delivered them (a late event
    /// comes last, marked `+late`, as in every face). Typing events are not kept.
    var events: [VerifiedEvent] = []
    var late: [Bool] = []
    /// Position in ``events`` by event id, and by REF.
    var position: [String: Int] = [:]
    var positionByRef: [String: Int] = [:]
    /// This device's events journaled and not delivered by a sync yet ("sending…").
    var pending: [(event: Event, verified: VerifiedEvent)] = []

    /// Alerts (rejections, alarms) in the order they came.
    var alerts: [JSONValue] = []

    var name: String?
    var topic: String?
    var joinRule: String?
    var creator: String?
    var admins: [String] = []
    var members: [(id: String, member: RoomState.Member)] = []
    var legacy = false
    var hasMetadata = false
    var metadataPending = false
    var loaded = false
    var lastSyncError: String?
    var upload: UploadStatus?
    var integrityOK = true

    /// From the engine's state: current edit body per message id, reactions
    /// per target (key → senders), redacted ids, replies per thread parent.
    var edits: [String: String] = [:]
    var reactions: [String: [String: [String]]] = [:]
    var redacted: Set<String> = []
    var threads: [String: [String]] = [:]
    /// A private room's epochs: what this device opened (docs/private-rooms.md).
    var epochs = RoomEpochs()
    /// Latest typing event per sender that said true (ms).
    var typing: [String: Int64] = [:]

    /// How many of ``events`` the user has seen (the read marker), and the
    /// event id it stands after, kept across restarts.
    var readCount = 0
    var readEventID: String?

    init(roomID: String) {
        self.roomID = roomID
    }

    func displayName(of senderID: String) -> String? {
        members.first { $0.id == senderID }?.member.displayName
    }

    var membershipOf: [String: RoomState.Membership] {
        Dictionary(members.map { ($0.id, $0.member.membership) }, uniquingKeysWith: { a, _ in a })
    }

    /// Whether a delivered event counts toward the unread badge: a message
    /// (any kind, replies too) someone else sent.
    func countsAsUnread(_ event: VerifiedEvent, me: String) -> Bool {
        guard event.event.senderID != me else { return false }
        if case .message = event.event.content { return true }
        return epochs.opened[event.event.eventID]?.type == EventType.message
    }

    func unread(me: String) -> Int {
        guard readCount < events.count else { return 0 }
        var count = 0
        for event in events[readCount...] where countsAsUnread(event, me: me) { count += 1 }
        return count
    }
}
