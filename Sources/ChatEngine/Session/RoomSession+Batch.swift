import ChatProtocol

/// The batch path for many messages at once (a mount's `cat file > send`):
/// one rules check and one journal append, where ``RoomSession/act(_:unsynced:)``
/// pays both per event.
extension RoomSession {
    /// Sends messages (one event per body) as one journal append.
    ///
    /// `unsynced` are this device's events the caller has shown but the sync
    /// has not given back yet. The outbox forgets an event once it is
    /// uploaded, and the sync learns of it only at its next poll: without
    /// them, a send right after a join would be checked against a room that
    /// does not yet know the join.
    ///
    /// The room's rules are checked once, for the first message: further
    /// messages of the same sender in the same call are allowed exactly when
    /// the first is. Earlier messages are left out of the check unless this
    /// is a reply (a reply may name one), so a long `cat file > send` does not
    /// re-check its own backlog on every write. Never walks the whole timeline.
    public func sendMessages(_ bodies: [String], msgtype: String = "m.text", replyTo parentID: String? = nil,
                             unsynced: [Event] = []) async throws(EngineError) -> [Event] {
        guard !bodies.isEmpty else { return [] }
        var drafts = bodies.map { EventDraft(type: EventType.message, content: .message(MessageContent(body: $0, msgtype: msgtype)), parentEventID: parentID) }
        let earliest = try await check(drafts[0], unsynced: unsynced, includeMessages: parentID != nil)
        if let sealing = try await sealing(for: EventType.message, unsynced: unsynced) {
            for i in drafts.indices { drafts[i].sealing = sealing }
        }
        let sent = try await outbox.sendAll(drafts, notBefore: earliest)
        noteSent(sent)
        return sent
    }
}
