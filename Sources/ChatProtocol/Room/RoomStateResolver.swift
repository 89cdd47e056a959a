/// Applies events to a ``RoomState`` in timeline order, deciding for each
/// whether the room's rules (PROTOCOL.md §6, §7) allow it.
///
/// Signature checks happen here because which keys are trusted depends on the
/// state at that point: a key added by a join is trusted from then on, a
/// revoked key is not trusted for anything after the revoking join.
public struct RoomStateResolver: Sendable {
    /// What the resolver decided about one event.
    public enum Verdict: Sendable, Equatable {
        /// Allowed; the key whose signature verified (nil in a legacy room read without keys).
        case accepted(signer: PublicKey?)
        case rejected(RejectionReason, String)
    }

    public internal(set) var state: RoomState
    let metadata: RoomMetadata?
    /// For legacy rooms: keys the user supplied, per sender.
    let suppliedKeys: [String: [PublicKey]]
    /// The reader's device keys, which open a private room's epoch keys sealed to them.
    let readerKeys: [SigningKey]

    var isLegacy: Bool { metadata?.isLegacy ?? false }

    /// A resolver for a room with this metadata. `nil` metadata means it was
    /// missing or invalid: nothing can be authorised then.
    public init(roomID: String, metadata: RoomMetadata?, suppliedKeys: [String: [PublicKey]] = [:], readerKeys: [SigningKey] = []) {
        self.state = RoomState(roomID: roomID, metadata: metadata)
        self.metadata = metadata
        self.suppliedKeys = suppliedKeys
        self.readerKeys = readerKeys
    }

    /// Decides on one event and, when it is accepted, applies it.
    ///
    /// - Parameters:
    ///   - signer: a key already known to verify the event's signature, if any
    ///     (found ahead of time, in parallel); it is used only if trusted.
    ///   - verify: checks the event's signature against a key.
    ///   - remember: whether later events may refer to this one. A preview of
    ///     the last event of a batch passes false: recording it would copy the
    ///     table of every event id of the room, only to throw the copy away.
    public mutating func apply(_ event: Event, signer: PublicKey?, remember: Bool = true, verify: (PublicKey) -> Bool) -> Verdict {
        guard let metadata else {
            return .rejected(.unauthorized, "the room's metadata.json is missing or invalid, so no sender can be authorised")
        }
        if metadata.isLegacy {
            return applyLegacy(event, signer: signer, remember: remember, verify: verify)
        }
        let verdict = decide(event, metadata: metadata, signer: signer, verify: verify)
        if case .accepted = verdict, remember { record(event) }
        return verdict
    }

    /// Whether ``apply(_:signer:remember:verify:)`` would accept this event
    /// and change nothing but the table of events: a message without a parent
    /// from a joined sender, signed by one of its trusted keys (a key found
    /// ahead of time). Most of a room's events are such; verifying a room from
    /// the start accepts them this way and enters them in the table in bulk.
    func acceptsPlainMessage(_ event: Event, signer: PublicKey?) -> Bool {
        guard let signer, let metadata, !metadata.isLegacy, event.parentEventID == nil,
              case .message = event.content, let member = state.members[event.senderID],
              member.membership == .join, member.keys.contains(signer)
        else { return false }
        return true
    }

    /// The trusted key that signed the event, trying the known signer first.
    private func trustedSigner(_ sender: String, signer: PublicKey?, verify: (PublicKey) -> Bool) -> PublicKey? {
        let trusted = state.members[sender]?.keys ?? []
        if let signer, trusted.contains(signer) { return signer }
        return trusted.first { $0 != signer && verify($0) }
    }

    private mutating func decide(_ event: Event, metadata: RoomMetadata, signer: PublicKey?, verify: (PublicKey) -> Bool) -> Verdict {
        let sender = event.senderID
        let member = state.members[sender]
        let isJoined = member?.membership == .join
        // A message's content changes no state, so it is not even decoded (a
        // restored reply's line stays undecoded).
        let content: EventContent? = event.type.hasSameBytes(as: EventType.message) ? nil : event.content

        if case .member(let m)? = content, m.membership == .join, !isJoined {
            return firstJoin(event, m, metadata: metadata, signer: signer, verify: verify)
        }
        guard isJoined else {
            return .rejected(.unauthorized, "\(sender) is not a member of the room at this point")
        }
        guard let key = trustedSigner(sender, signer: signer, verify: verify) else {
            return .rejected(.badSignature, "no key trusted for \(sender) at this point verifies the signature")
        }
        if let problem = referenceProblem(event) { return .rejected(.unauthorized, problem) }

        if case .member(let m)? = content { return memberChange(event, m, signer: key) }
        if let content, let refusal = applyContent(event, content) { return refusal }
        return .accepted(signer: key)
    }

    /// Applies what a non-membership event does (name, topic, redaction,
    /// edit, reaction, typing) when the rules allow it; returns the refusal
    /// otherwise. The same rules hold in every room, legacy ones included.
    mutating func applyContent(_ event: Event, _ content: EventContent) -> Verdict? {
        let sender = event.senderID
        switch content {
        case .name(let name):
            guard state.isAdmin(sender) else { return .rejected(.unauthorized, "only admins may rename the room; \(sender) is not one\(noAdminsNote)") }
            state.name = name
        case .topic(let topic):
            guard state.isAdmin(sender) else { return .rejected(.unauthorized, "only admins may set the topic; \(sender) is not one\(noAdminsNote)") }
            state.topic = topic
        case .redaction(let target, _):
            guard let ref = state.events[ExactString(target)] else {
                return .rejected(.unauthorized, "redacts \(target), which is no earlier event of this room")
            }
            guard ref.senderID == sender || state.isAdmin(sender) else {
                return .rejected(.unauthorized, "only the original sender or an admin may redact \(target)\(noAdminsNote)")
            }
            if state.redactedSet.insert(ExactString(target)).inserted { state.redacted.append(target) }
        case .edit(let target, let newContent):
            guard let ref = state.events[ExactString(target)] else {
                return .rejected(.unauthorized, "edits \(target), which is no earlier event of this room")
            }
            guard ref.type == EventType.message else { return .rejected(.unauthorized, "edits \(target), which is not a message") }
            guard ref.senderID == sender else { return .rejected(.unauthorized, "only the original sender may edit \(target)") }
            state.editHistory[ExactString(target), default: []].append((event.eventID, newContent))
        case .reaction(let target, let reaction):
            guard state.events[ExactString(target)] != nil else {
                return .rejected(.unauthorized, "reacts to \(target), which is no earlier event of this room")
            }
            state.reactionEvents.append((event.eventID, target, reaction, sender))
        case .typing(let typing):
            state.typingEvents[sender] = (event.timestampMs, typing)
        case .roomKey(let key):
            return applyRoomKey(event, key)
        case .encrypted(let encrypted):
            return applyEncrypted(event, encrypted)
        case .member, .message, .unknown:
            break
        }
        return nil
    }

    /// Said after an admin-only refusal in a room with no admins at all.
    private var noAdminsNote: String {
        state.admins.isEmpty ? " (this legacy room's metadata.json names no creator or admins, so nobody is)" : ""
    }

    /// A sender who is not joined joins: as creator, by public join rule, or by invitation.
    private mutating func firstJoin(_ event: Event, _ m: MemberContent, metadata: RoomMetadata, signer: PublicKey?, verify: (PublicKey) -> Bool) -> Verdict {
        let sender = event.senderID
        guard let key = m.publicKey else { return .rejected(.schema, "a join must carry public_key") }
        let member = state.members[sender]
        if member?.membership == .ban { return .rejected(.unauthorized, "\(sender) is banned from the room") }
        if member?.membership == .invite {
            if let pinned = member?.pinnedKey, pinned != key {
                return .rejected(.unauthorized, "the invite of \(sender) pinned key \(pinned), but the join uses \(key)")
            }
        } else if sender == metadata.creator {
            guard key == metadata.creatorKey else {
                return .rejected(.unauthorized, "the creator's join must use creator_key from metadata.json")
            }
        } else if metadata.joinRule != .public {
            return .rejected(.unauthorized, "\(sender) joins without an invitation and the room's join_rule is invite")
        }
        guard signer == key || verify(key) else {
            return .rejected(.badSignature, "the join is not signed by the key it declares")
        }
        if let problem = referenceProblem(event) { return .rejected(.unauthorized, problem) }
        var updated = member ?? RoomState.Member(membership: .join)
        updated.membership = .join
        updated.keys = [key]
        updated.revokedKeys = []
        updated.devices = m.deviceID.map { [$0] } ?? []
        updated.pinnedKey = nil
        updated.everJoined = true
        if let name = m.displayName { updated.displayName = name }
        state.members[sender] = updated
        return .accepted(signer: key)
    }

    /// A joined member's membership event: another device key, invite, leave, kick, ban.
    private mutating func memberChange(_ event: Event, _ m: MemberContent, signer: PublicKey) -> Verdict {
        let sender = event.senderID
        switch m.membership {
        case .join:
            guard let newKey = m.publicKey else { return .rejected(.schema, "a join must carry public_key") }
            guard !m.revoke.contains(newKey) else { return .rejected(.schema, "a join cannot revoke the key it adds") }
            guard var member = state.members[sender] else { return .rejected(.unauthorized, "\(sender) is not a member") }
            guard !member.revokedKeys.contains(newKey) else {
                return .rejected(.unauthorized, "key \(newKey) was revoked for \(sender) and cannot be trusted again")
            }
            if !member.keys.contains(newKey) { member.keys.append(newKey) }
            for revoked in m.revoke where member.keys.contains(revoked) {
                member.keys.removeAll { $0 == revoked }
                member.revokedKeys.append(revoked)
            }
            if !m.revoke.isEmpty { noteRemoval() }
            if let device = m.deviceID, !member.devices.contains(device) { member.devices.append(device) }
            if let name = m.displayName { member.displayName = name }
            state.members[sender] = member
        case .invite:
            guard let target = m.userID else { return .rejected(.schema, "an invite names user_id") }
            let current = state.members[target]?.membership
            if current == .join { return .rejected(.unauthorized, "\(target) is already a member") }
            if current == .ban { return .rejected(.unauthorized, "\(target) is banned and cannot be invited") }
            var member = state.members[target] ?? RoomState.Member(membership: .invite)
            member.membership = .invite
            member.pinnedKey = m.publicKey
            if let name = m.displayName, member.displayName == nil { member.displayName = name }
            state.members[target] = member
        case .leave:
            if let target = m.userID, target != sender {
                return .rejected(.unauthorized, "a leave removes only its sender; use kick to remove \(target)")
            }
            state.members[sender]?.membership = .leave
            noteRemoval()
        case .kick, .ban:
            guard let target = m.userID else { return .rejected(.schema, "\(m.membership.rawValue) names user_id") }
            guard state.isAdmin(sender) else {
                return .rejected(.unauthorized, "only admins may \(m.membership.rawValue); \(sender) is not one\(noAdminsNote)")
            }
            guard target != state.creator else { return .rejected(.unauthorized, "the room's creator cannot be removed") }
            if m.membership == .kick {
                let current = state.members[target]?.membership
                guard current == .join || current == .invite else {
                    return .rejected(.unauthorized, "\(target) is not in the room and cannot be kicked")
                }
                state.members[target]?.membership = .leave
            } else {
                var member = state.members[target] ?? RoomState.Member(membership: .ban)
                member.membership = .ban
                state.members[target] = member
            }
            noteRemoval()
        }
        return .accepted(signer: signer)
    }

    /// A problem with what the event names as its thread parent, or nil.
    private func referenceProblem(_ event: Event) -> String? {
        guard let parent = event.parentEventID else { return nil }
        return state.events[ExactString(parent)] == nil
            ? "parent_event_id \(parent) names no earlier event of this room" : nil
    }

    /// Notes an accepted event for later references and threads.
    private mutating func record(_ event: Event) {
        // An opened encrypted event counts as what it holds (an edit must replace a message).
        let type = state.epochs.opened.isEmpty ? event.type : state.epochs.opened[event.eventID]?.type ?? event.type
        state.events.insert(ExactString(event.eventID), RoomState.EventRef(senderID: event.senderID, type: type, timestampMs: event.timestampMs))
        if let parent = event.parentEventID { state.threadChildren[parent, default: []].append(event.eventID) }
    }

    /// Legacy rooms (no `creator_key`, docs/protocol-decisions.md): an event
    /// counts when a key the user supplied for its sender verifies it. Such
    /// rooms declare no keys, so joins cannot admit keys and messages are not
    /// held to membership (the reference client's `chat` command writes
    /// without joining); everything else follows the room's usual rules: a
    /// banned sender is refused, admin actions need an admin named in
    /// metadata.json (`creator`, `admins`; none at all in the reference
    /// client's rooms), edits and redactions need the right sender, and every
    /// reference must name an earlier event.
    private mutating func applyLegacy(_ event: Event, signer: PublicKey?, remember: Bool, verify: (PublicKey) -> Bool) -> Verdict {
        let sender = event.senderID
        guard let keys = suppliedKeys[sender], !keys.isEmpty else {
            return .rejected(.unknownKey, "legacy room: no key is known for \(sender); pass --trusted-keys FILE with {\"\(sender)\": \"base64 public key\"}")
        }
        guard let key = (signer.flatMap { keys.contains($0) ? $0 : nil }) ?? keys.first(where: { $0 != signer && verify($0) }) else {
            return .rejected(.badSignature, "no key supplied for \(sender) verifies the signature")
        }
        if state.members[sender]?.membership == .ban {
            return .rejected(.unauthorized, "\(sender) is banned from the room")
        }
        if let problem = referenceProblem(event) { return .rejected(.unauthorized, problem) }
        // Senders who write without joining still show as members, with the keys that verify them.
        let known = state.members[sender] != nil
        if !known { state.members[sender] = RoomState.Member(membership: .join, everJoined: true) }
        let content: EventContent? = event.type.hasSameBytes(as: EventType.message) ? nil : event.content
        var refusal: Verdict?
        switch content {
        case .member(let m)? where m.membership == .join:
            // The reference client's join names no key: the supplied ones are the sender's keys.
            state.members[sender]?.membership = .join
            state.members[sender]?.everJoined = true
            if let name = m.displayName { state.members[sender]?.displayName = name }
        case .member(let m)?:
            let verdict = memberChange(event, m, signer: key)
            if case .rejected = verdict { refusal = verdict }
        case let content?:
            refusal = applyContent(event, content)
        case nil:
            break
        }
        if let refusal {
            if !known { state.members[sender] = nil }
            return refusal
        }
        state.members[sender]?.keys = keys
        if remember { record(event) }
        return .accepted(signer: key)
    }
}
