import ChatProtocol

/// Checking an event against the room's rules before it is signed, and the
/// earliest timestamp that keeps it after what it depends on.
extension RoomSession {
    /// Throws when the room's rules would refuse `draft` after what is
    /// verified plus this device's events not yet synced.
    ///
    /// Returns the earliest timestamp the event may carry (see
    /// ``earliestTimestamp(for:verification:own:)``), for ``Outbox/send(type:content:parentEventID:notBefore:)``.
    @discardableResult
    func check(_ draft: EventDraft, unsynced: [Event], includeMessages: Bool) async throws(EngineError) -> Int64 {
        var verification = await sync.verification
        if verification.metadata == nil {
            // A room created here whose metadata waits to be uploaded: it goes out
            // before any event, and its creator may write meanwhile.
            if hasPendingMetadataFile(stateFolder: stateFolder) { return 0 }
            // Not synced yet (a session opened a moment ago): read the room once
            // rather than act unchecked.
            let reached = (try? await sync.sync()) != nil
            if !reached { _ = await sync.loadCache() }
            verification = await sync.verification
            // Offline with nothing cached, in a room this device has written to
            // before: journal it, and readers judge it once it is uploaded.
            if verification.metadata == nil, !reached, await outbox.journaledCount > 0 { return 0 }
        }
        guard let metadata = verification.metadata else {
            // Otherwise an event would land in a folder no reader can trust: a typo,
            // a room of another store, a room whose metadata was never read.
            throw EngineError(.notFound, "Room \(roomID) has no valid metadata.json that this device could read in \(store.locationDescription) (the room does not exist there, its metadata is invalid, or the store could not be reached and nothing is cached). Nothing was sent.")
        }
        // Without a creator key the room declares no keys: no reader could verify
        // what this device signs (it would be unknown_key everywhere), and joins
        // there admit no key. Reading such a room is supported, writing is not.
        guard !metadata.isLegacy else {
            throw EngineError(.forbidden, "Room \(roomID) was made by another client without a creator key (a legacy room); bucketchat reads it but does not write to it. Nothing was sent.")
        }
        let own = await ownUnsynced(verification, unsynced: unsynced, includeMessages: includeMessages)
        let earliest = earliestTimestamp(for: draft, verification: verification, own: own)
        let last = max(own.last?.timestampMs ?? 0, verification.accepted.last?.event.timestampMs ?? 0) + 1
        let preview: Event
        do {
            preview = try Event.signed(roomID: roomID, timestampMs: max(last, now()),
                                       senderID: identity.senderID, type: draft.type, content: draft.content,
                                       parentEventID: draft.parentEventID, prevEventHash: nil, key: identity.key)
        } catch {
            throw EngineError(.invalidEvent, "Room \(roomID): \(error.message)", cause: error)
        }
        if case .rejected(_, let why)? = verification.preview(own + [preview], signedBy: identity.key.publicKey).last {
            throw EngineError(.forbidden, "Room \(roomID) does not allow this: \(why). Nothing was sent.")
        }
        return earliest
    }

    /// The earliest timestamp that keeps `draft` after what it depends on: the
    /// events it names (thread parent, reaction, edit or redaction target) and,
    /// for a membership change, everything this device has seen (a join must
    /// sort after its invite). Readers order by timestamp and refuse an event
    /// that comes before what it needs, so a device whose clock is behind would
    /// otherwise send a join or reply that its own check passed and every reader refuses.
    /// Only these events are lifted: one member's clock running ahead does not
    /// drag every device's messages into the future.
    func earliestTimestamp(for draft: EventDraft, verification: RoomVerification, own: [Event]) -> Int64 {
        var named: [String] = draft.parentEventID.map { [$0] } ?? []
        for field in ["relates_to", "replaces", "redacts"] {
            if let id = draft.content[field]?.stringValue { named.append(id) }
        }
        var earliest: Int64 = 0
        for id in named {
            if let ts = verification.state.timestampMs(of: id) ?? own.last(where: { $0.eventID == id })?.timestampMs {
                earliest = max(earliest, ts + 1)
            }
        }
        if draft.type == EventType.member {
            earliest = max(earliest, (verification.accepted.last?.event.timestampMs ?? 0) + 1)
        }
        return earliest
    }
}
