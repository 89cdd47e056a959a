extension RoomLedger {
    /// Adds new lines without re-running the room-wide stages, when the
    /// ``TimelineFrontier`` shows that doing so gives the same result as a full
    /// run. Returns the events accepted, in timeline order, or nil (having
    /// changed nothing) when the full run is needed.
    ///
    /// The new lines must all be verified, carry no early rejection and no
    /// known event id, and each must extend its key's chain at the tip. Then
    /// either every one sorts after everything authorisation has seen (they
    /// are authorised in order, as the full run would), or every one is a plain
    /// message without a parent that sorts after the last rejection and the
    /// last membership change: such a message is judged by the membership as
    /// it stands, and it changes no later verdict.
    mutating func append(_ lines: [RoomVerifier.CheckedLine]) -> [VerifiedEvent]? {
        guard var frontier, let metadata = verification.metadata, !metadata.isLegacy else { return nil }
        guard !lines.isEmpty else { return [] }
        guard lines.allSatisfy({ $0.signer != nil && $0.line.earlyRejection == nil }) else { return nil }
        let ordered = lines.sorted { RoomVerifier.precedes($0.line.event, $1.line.event) }
        let first = TimelinePosition(ordered[0].line.event)
        let appending = frontier.last.map { $0 < first } ?? true
        guard appending || (frontier.barrier.map { $0 < first } ?? true) && ordered.allSatisfy({ RoomLedger.isPlainMessage($0.line.event) })
        else { return nil }
        // Taken out so that its tables are changed in place, not copied; when
        // this returns nil the full run builds a new one.
        self.frontier = nil

        var batchIDs: Set<ExactString> = []
        for line in ordered {
            let id = ExactString(line.line.event.eventID)
            guard let signer = line.signer, verification.resolver.state.events[id] == nil,
                  !frontier.unacceptedIDs.contains(id), batchIDs.insert(id).inserted,
                  RoomLedger.extendsChain(line, signer: signer, frontier: &frontier)
            else { return nil }
        }

        var added: [VerifiedEvent] = []
        var rejected: [Rejection] = []
        for checked in ordered {
            let line = checked.line
            let verdict = verification.resolver.apply(line.event, signer: checked.signer) { key in
                key.verify(signature: line.signature, of: line.event.canonicalBytes)
            }
            switch verdict {
            case .accepted(let signer):
                added.append(VerifiedEvent(event: line.event, hash: checked.hash, objectKey: line.objectKey,
                                           line: line.line, signer: signer, marks: []))
            case .rejected(let reason, let detail):
                rejected.append(Rejection(eventID: line.event.eventID, objectKey: line.objectKey, line: line.line,
                                          reason: reason, detail: detail))
                frontier.unacceptedIDs.insert(ExactString(line.event.eventID))
            }
            let position = TimelinePosition(line.event)
            if RoomVerifier.isBarrier(line.event, verdict) { frontier.barrier = max(frontier.barrier ?? position, position) }
            frontier.last = max(frontier.last ?? position, position)
        }
        insertInOrder(added)
        if !rejected.isEmpty {
            verification.rejected += rejected
            verification.rejected.sort(by: RoomVerifier.reportOrder)
        }
        self.frontier = frontier
        return added
    }

    /// A message without a parent, or an event of a type the rules do not
    /// know: it depends only on its sender's membership and changes nothing
    /// later events are judged by.
    static func isPlainMessage(_ event: Event) -> Bool {
        guard event.parentEventID == nil else { return false }
        switch event.content {
        case .message, .unknown: return true
        default: return false
        }
    }

    /// Whether a verified line continues its key's chain from the tip (or
    /// starts a chain for a key that has none) in a way the chain audit finds
    /// nothing wrong with, and if so moves the tip.
    static func extendsChain(_ line: RoomVerifier.CheckedLine, signer: PublicKey, frontier: inout TimelineFrontier) -> Bool {
        let hash = ExactString(line.hash)
        let event = line.line.event
        guard !frontier.missingPrevs.contains(hash) else { return false }
        if let prev = event.prevEventHash {
            guard let tip = frontier.tips[signer], tip.hash == ExactString(prev), !tip.linked,
                  tip.timestampMs < event.timestampMs
            else { return false }
        } else if frontier.tips[signer] != nil {
            return false
        }
        frontier.tips[signer] = ChainTip(hash: hash, timestampMs: event.timestampMs, linked: false)
        return true
    }

    /// Puts newly accepted events (in timeline order) where they belong among
    /// the accepted ones: usually at the end, else shortly before it.
    private mutating func insertInOrder(_ added: [VerifiedEvent]) {
        guard let first = added.first else { return }
        var start = verification.accepted.count
        while start > 0, RoomVerifier.precedes(first.event, verification.accepted[start - 1].event) { start -= 1 }
        guard start < verification.accepted.count else {
            verification.accepted += added
            return
        }
        let displaced = Array(verification.accepted[start...])
        verification.accepted.removeSubrange(start...)
        var i = 0, j = 0
        while i < displaced.count || j < added.count {
            if j == added.count || (i < displaced.count && RoomVerifier.precedes(displaced[i].event, added[j].event)) {
                verification.accepted.append(displaced[i])
                i += 1
            } else {
                verification.accepted.append(added[j])
                j += 1
            }
        }
    }
}
