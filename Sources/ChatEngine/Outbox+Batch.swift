import ChatProtocol

extension Outbox {
    /// Signs several events on this device's chain and journals them with one
    /// append, so one fsync covers them all: `cat file > send` hands the mount
    /// thousands of lines per write.
    ///
    /// All or nothing: every event is signed and size-checked before the chain
    /// moves, so a draft over the 64 KiB line limit throws and none is sent.
    public func sendAll(_ drafts: [EventDraft]) async throws(EngineError) -> [Event] {
        var next = chain
        var events: [Event] = []
        var lines: [[UInt8]] = []
        events.reserveCapacity(drafts.count)
        lines.reserveCapacity(drafts.count)
        for (index, draft) in drafts.enumerated() {
            let event: Event
            do {
                event = try next.sign(type: draft.type, content: draft.content, parentEventID: draft.parentEventID, nowMs: now())
            } catch {
                throw EngineError(.invalidEvent, "Could not sign event \(index + 1) of \(drafts.count) (\(draft.type)) in room \(roomID): \(error.message). Nothing was sent.", cause: error)
            }
            let line = event.lineBytes
            guard line.count + 1 <= Self.maxLineBytes else {
                throw EngineError(.invalidEvent, "Event \(index + 1) of \(drafts.count) (\(draft.type)) is \(line.count) bytes, over the 64 KiB line limit of room \(roomID). Nothing was sent; shorten it.")
            }
            events.append(event)
            lines.append(line)
        }
        guard !events.isEmpty else { return [] }
        // From here to the submit nothing suspends: chain order is journal order.
        chain = next
        let first = nextOrdinal
        nextOrdinal += events.count
        pending += events
        pendingSizes += lines.map { $0.count + 1 }
        try await journal.append(lines.map { .event(line: $0) })
        let last = first + events.count - 1
        if last >= durableThrough {
            if batchedThrough == durableThrough { oldestUnbatchedAt = .now }
            durableThrough = last + 1
        }
        wakeup?.yield()
        return events
    }
}
