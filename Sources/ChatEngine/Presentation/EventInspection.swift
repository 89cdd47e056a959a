import ChatProtocol

/// Everything a reader knows about one event, for `bucketchat inspect`:
/// where it is stored, its canonical hash, who signed it with which key and
/// how that key stands, its place in the device's chain, and what the rules
/// made of it (or why the verifier rejected it).
///
/// Built from one verification, so every face explains an event the same way.
public struct EventInspection: Sendable {
    public let eventID: String
    public let objectKey: String
    public let line: Int?
    /// Accepted: nil; rejected: the reason code and the verifier's sentence.
    public let rejection: (reason: String, detail: String)?
    public let senderID: String?
    public let type: String?
    public let timestampMs: Int64?
    /// `event_hash` (SHA-256 of the canonical bytes without the signature), base64 as chains name it.
    public let eventHash: String?
    /// The signing key, base64, and how it stands in the room.
    public let signer: String?
    public let keyStanding: String?
    /// The previous and next events of the sender's device chain, as REFs.
    public let predecessor: String?
    public let successor: String?
    /// Chain alarms on the event (`gap`, `fork`).
    public let marks: [String]
    /// What the room's rules made of it, in a sentence.
    public let decision: String

    /// Inspects the event `eventID` of `verification` (accepted or rejected).
    /// `locallyTrusted` are the keys the user trusts for a legacy room's senders.
    public init?(eventID: String, in verification: RoomVerification, locallyTrusted: [String: [PublicKey]] = [:]) {
        self.eventID = eventID
        let state = verification.state
        if let accepted = verification.accepted.first(where: { $0.event.eventID == eventID }) {
            let event = accepted.event
            objectKey = accepted.objectKey
            line = accepted.line
            rejection = nil
            senderID = event.senderID
            type = event.type
            timestampMs = event.timestampMs
            eventHash = accepted.hash
            signer = accepted.signer?.base64
            keyStanding = accepted.signer.map { key in
                EventInspection.standing(of: key, sender: event.senderID, state: state, locallyTrusted: locallyTrusted)
            }
            let chain = verification.accepted.filter { $0.event.senderID == event.senderID }
            predecessor = event.prevEventHash.flatMap { hash in chain.first { $0.hash == hash } }.map { EventReference.short($0.event.eventID) }
            successor = chain.first { $0.event.prevEventHash == accepted.hash }.map { EventReference.short($0.event.eventID) }
            marks = accepted.marks.map(\.rawValue).sorted()
            decision = EventInspection.decision(for: event, state: state)
        } else if let rejected = verification.rejected.first(where: { $0.eventID == eventID }) {
            objectKey = rejected.objectKey
            line = rejected.line
            rejection = (rejected.reason.rawValue, rejected.detail)
            (senderID, type, timestampMs, eventHash, signer, keyStanding, predecessor, successor) = (nil, nil, nil, nil, nil, nil, nil, nil)
            marks = []
            decision = "rejected (\(rejected.reason.rawValue)): \(rejected.detail)"
        } else {
            return nil
        }
    }

    /// Declared in the room (and since when revoked), or trusted only on this device.
    static func standing(of key: PublicKey, sender: String, state: RoomState, locallyTrusted: [String: [PublicKey]]) -> String {
        let member = state.members[sender]
        if member?.keys.contains(key) == true { return "declared in the room, not revoked" }
        if member?.revokedKeys.contains(key) == true { return "declared in the room, since revoked (events signed before the revocation stay valid)" }
        if locallyTrusted[sender]?.contains(key) == true { return "trusted on this device (`bucketchat keys trust`), not declared in the room" }
        return "not among the sender's current keys"
    }

    /// What the state resolver did with an accepted event.
    static func decision(for event: Event, state: RoomState) -> String {
        if state.isRedacted(event.eventID) { return "accepted; since redacted" }
        var content = event.content
        var prefix = ""
        switch content {
        case .encrypted(let sealed):
            if let opened = state.epochs.opened[event.eventID] {
                content = opened.content
                prefix = "encrypted under epoch \(EventReference.short(sealed.epoch)), opened to \(opened.type); "
            } else if let problem = state.epochs.damaged[event.eventID] {
                return "encrypted under epoch \(EventReference.short(sealed.epoch)); does not open: \(problem)"
            } else {
                return "encrypted under epoch \(EventReference.short(sealed.epoch)); this device holds no key for it"
            }
        case .roomKey(let key):
            if let shared = key.epoch { return "key event: shared epoch \(EventReference.short(shared)) with \(key.sealed.count) device(s)" }
            let current = state.epochs.current == event.eventID ? " (the current epoch)" : ""
            return "key event: started epoch \(EventReference.short(event.eventID))\(current) for \(key.sealed.count) device(s)"
                + (state.epochs.key(of: event.eventID) != nil ? "; this device holds its key" : "; not sealed to this device")
        default:
            break
        }
        return prefix + decision(of: content, event: event, state: state)
    }

    private static func decision(of content: EventContent, event: Event, state: RoomState) -> String {
        switch content {
        case .edit(let target, _):
            guard let current = state.currentEdit(of: target) else { return "accepted; the edit does not apply (its target is gone or redacted)" }
            return current.editID == event.eventID
                ? "edit applied: the current text of \(EventReference.short(target))"
                : "edit superseded by \(EventReference.short(current.editID))"
        case .redaction(let target, _):
            return state.isRedacted(target) ? "redaction applied to \(EventReference.short(target))" : "redaction accepted; its target is not in the timeline"
        case .member(let member):
            let now = state.members[event.senderID]?.membership.rawValue ?? "none"
            return "membership change \(member.membership.rawValue) accepted; the member's membership now: \(now)"
        case .reaction(let target, let reaction):
            return "reaction \(reaction) to \(EventReference.short(target)) counted"
        case .message(let message):
            if let edit = state.currentEdit(of: event.eventID) { return "message accepted; edited by \(EventReference.short(edit.editID))" }
            return message.file != nil ? "file message accepted" : "message accepted"
        default:
            return "accepted"
        }
    }

    /// The inspection as JSON.
    public var json: JSONObject {
        func text(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }
        return JSONObject([
            ("event_id", .string(eventID)), ("ref", .string(EventReference.short(eventID))),
            ("object_key", .string(objectKey)), ("line", line.map { .int(Int64($0)) } ?? .null),
            ("accepted", .bool(rejection == nil)), ("reason", text(rejection?.reason)),
            ("sender_id", text(senderID)), ("type", text(type)), ("ts", timestampMs.map { .int($0) } ?? .null),
            ("event_hash", text(eventHash)), ("signer", text(signer)), ("key_standing", text(keyStanding)),
            ("chain_previous", text(predecessor)), ("chain_next", text(successor)),
            ("marks", .array(marks.map { .string($0) })), ("decision", .string(decision)),
        ])
    }
}
