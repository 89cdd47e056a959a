import ChatProtocol

/// Delivery: the diff that turns the latest verification into the updates
/// not delivered yet, in timeline order.
extension RoomSync {
    /// What the latest verification adds to what was already delivered.
    /// `candidates`: the events that can be new, in timeline order, when a
    /// sync concluded the ledger twice (the ledger remembers the last only);
    /// `wholeTimeline`: compare every accepted event (one of those two
    /// conclusions verified the room from the start).
    func diff(candidates override: [VerifiedEvent]? = nil, wholeTimeline: Bool = false) -> SyncDelivery {
        let result = ledger.verification
        var updates: [RoomUpdate] = []
        var history: ArraySlice<VerifiedEvent> = []
        var newEvents = false
        if deliverEverything || (lastDelivered == nil && delivered.isEmpty && deliveredInBulk == nil) {
            // Nothing was delivered before, and the timeline is in order: none is late.
            deliverEverything = false
            deliveredInBulk = result.state
            history = result.accepted[...]
            if let last = result.accepted.last { lastDelivered = (last.event.timestampMs, last.event.eventID) }
            newEvents = !result.accepted.isEmpty
        } else {
            // After an ingest that only added events, only those can be new.
            let newly = wholeTimeline ? nil : override ?? ledger.newlyAccepted
            let candidates = newly ?? result.accepted
            let bulk = newly == nil ? deliveredInBulk : nil
            for event in candidates where !delivered.contains(event.event.eventID) && !(bulk?.contains(eventID: event.event.eventID) ?? false) {
                delivered.insert(event.event.eventID)
                let key = (event.event.timestampMs, event.event.eventID)
                var late = false
                if let last = lastDelivered {
                    late = key.0 < last.timestampMs || (key.0 == last.timestampMs && key.1.utf8.lexicographicallyPrecedes(last.eventID.utf8))
                }
                if !late { lastDelivered = key }
                updates.append(.event(event, late: late))
                newEvents = true
            }
        }
        for rejection in result.rejected {
            let id = "\(rejection.objectKey):\(rejection.line ?? 0):\(rejection.reason.rawValue)"
            if reportedRejections.insert(id).inserted { updates.append(.rejected(rejection)) }
        }
        for alarm in result.alarms {
            if reportedAlarms.insert(RoomSync.alarmID(alarm)).inserted { updates.append(.alarm(alarm)) }
        }
        if newEvents { updates.append(.stateChanged) }
        return SyncDelivery(history: history, rest: updates)
    }
}

extension RoomSync {
    /// What tells one alarm from another, to report each once.
    static func alarmID(_ alarm: Alarm) -> String {
        "\(alarm.kind.rawValue):\(alarm.eventID ?? ""):\(alarm.detail)"
    }

    /// Everything delivered so far, as one delivery: the accepted timeline as
    /// history, then every rejection and alarm. What a face that starts
    /// watching a room late is given first, instead of the diffs it missed.
    public func currentDelivery() -> SyncDelivery {
        let result = ledger.verification
        var rest: [RoomUpdate] = result.rejected.map { .rejected($0) } + result.alarms.map { .alarm($0) }
        if !result.accepted.isEmpty { rest.append(.stateChanged) }
        return SyncDelivery(history: result.accepted[...], rest: rest)
    }
}
