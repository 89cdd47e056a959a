import ChatEngine
import ChatProtocol

/// What the chat knows of one room: its lines, its standing, what is unread.
struct ChatRoom {
    let roomID: String
    var name: String
    var topic: String?
    var lines: [ChatLine] = []
    /// This device's events not read back from the store yet, shown last.
    var unconfirmed: [ChatLine] = []
    /// Whether its first view (its history) has arrived.
    var loaded = false
    var unread = 0
    var mentioned = false
    var members: [(id: String, member: RoomState.Member, admin: Bool)] = []
    var joinRule: RoomMetadata.JoinRule?
    var pendingUploads = 0
    var uploadError: String?
    /// Why the last sync failed (the store could not be reached), if it did.
    var failure: String?

    /// Lines kept per room; older ones scroll away for good (`bucketchat log` has them all).
    static let kept = 5000

    init(roomID: String) {
        self.roomID = roomID
        name = roomID
    }

    /// This user's membership, as the last view said.
    func membership(of senderID: String) -> RoomState.Membership? {
        members.first { $0.id == senderID }?.member.membership
    }

    /// Takes in one view; returns the new lines, in order (the whole history the first time).
    mutating func apply(_ view: RoomView, me: ChatIdentity) -> [ChatLine] {
        failure = view.failure.map { TimelineLine.escape($0) }
        pendingUploads = view.upload.pendingEvents
        uploadError = view.upload.lastError.map { TimelineLine.escape($0) }
        if let metadata = view.metadata {
            joinRule = metadata.joinRule
            if name == roomID { name = TimelineLine.escape(metadata.name) }
        }
        let state = view.verification?.state
        if let state {
            if let named = state.name { name = TimelineLine.escape(named) }
            topic = state.topic.map { TimelineLine.escape($0) }
            members = state.members.sorted { $0.key < $1.key }.map { ($0.key, $0.value, state.isAdmin($0.key)) }
        }
        let history = !loaded
        loaded = true
        var added: [ChatLine] = []
        var redacted: Set<String> = []
        var rejections: [String: Int] = [:]
        // A large room's history: only the lines kept are made.
        let skipped = history ? max(0, view.updates.count - ChatRoom.kept) : 0
        for (index, update) in view.updates.enumerated() {
            if index < skipped, case .event = update { continue }
            switch update {
            case .event(let event, let late):
                unconfirmed.removeAll { $0.eventID == event.event.eventID }
                // In a private room a redaction is what an encrypted event opened to.
                let content = state?.epochs.opened[event.event.eventID]?.content ?? event.event.content
                if case .redaction(let target, _) = content { redacted.insert(target) }
                guard let line = ChatLine(event, late: late, state: state, me: me) else { continue }
                added.append(line)
                if !history, line.isMessage {
                    unread += 1
                    mentioned = mentioned || line.mentions
                }
            case .rejected(let rejection):
                // A room's history of rejections is summed up; a new one is told as it comes.
                if history {
                    rejections[rejection.reason.rawValue, default: 0] += 1
                } else {
                    added.append(ChatLine(kind: .alert, text: "rejected \(rejection.reason.rawValue) in \(rejection.objectKey):\(rejection.line ?? 0): \(TimelineLine.escape(rejection.detail))"))
                }
            case .alarm(let alarm):
                added.append(ChatLine(kind: .alert, text: "ALARM \(alarm.kind.rawValue): \(TimelineLine.escape(alarm.detail))"))
            case .stateChanged:
                break
            }
        }
        for (reason, count) in rejections.sorted(by: { $0.key < $1.key }) {
            added.append(ChatLine(kind: .alert, text: "\(count) line(s) of this room were rejected (\(reason)); `bucketchat verify --room \(roomID)` lists them"))
        }
        if history, let verification = view.verification, let problem = Log.unverifiable(verification) {
            added.append(ChatLine(kind: .alert, text: problem))
        }
        if let state, !redacted.isEmpty {
            for i in lines.indices where lines[i].eventID.map(redacted.contains) == true {
                lines[i] = lines[i].again(state: state, me: me)
            }
        }
        lines += added
        if lines.count > ChatRoom.kept { lines.removeFirst(lines.count - ChatRoom.kept) }
        return added
    }

    /// The REFs of the latest events, newest first (what Tab completes).
    var recentRefs: [String] {
        var refs: [String] = []
        for line in (lines + unconfirmed).reversed().prefix(300) {
            if let id = line.eventID { refs.append(EventReference.short(id)) }
        }
        return refs
    }
}
