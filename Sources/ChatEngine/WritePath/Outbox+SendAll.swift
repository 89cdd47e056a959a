import ChatProtocol

extension Outbox {
    /// Signs several events on this device's chain and journals them with one
    /// append, so one fsync covers them all: `cat file > send` hands the mount
    /// thousands of lines per write.
    ///
    /// All or nothing: every event is signed and size-checked before the chain
    /// moves, so a draft over the 64 KiB line limit throws and none is sent.
    /// `notBefore` is the earliest timestamp, as in ``send(type:content:parentEventID:notBefore:)``.
    @concurrent
    public nonisolated func sendAll(_ drafts: [EventDraft], notBefore: Int64 = 0) async throws(EngineError) -> [Event] {
        let (unsigned, first) = try await placeAll(drafts, notBefore: notBefore)
        guard !unsigned.isEmpty else { return [] }
        // Off the actor: the signatures, spread over the cores.
        let signed = await Self.signAll(unsigned, with: key)
        let events = signed.map(\.event)
        let ticket = JournalTicket()
        await journalInTurn(first: first, events: events, lines: signed.map(\.line), ticket: ticket)
        try await ticket.durable()
        return events
    }

    /// Every event's place in the chain, checked before the chain moves; the
    /// ordinal of the first.
    private func placeAll(_ drafts: [EventDraft], notBefore: Int64) throws(EngineError) -> ([UnsignedEvent], Int) {
        var next = chain
        var unsigned: [UnsignedEvent] = []
        unsigned.reserveCapacity(drafts.count)
        for (index, draft) in drafts.enumerated() {
            let event: UnsignedEvent
            do {
                event = try next.prepare(type: draft.type, content: draft.content, parentEventID: draft.parentEventID,
                                         nowMs: max(now(), notBefore), sealing: draft.sealing)
            } catch {
                throw EngineError(.invalidEvent, "Could not sign event \(index + 1) of \(drafts.count) (\(draft.type)) in room \(roomID): \(error.message). Nothing was sent.", cause: error)
            }
            let size = event.canonical.count + UnsignedEvent.signatureBytes
            guard size + 1 <= Self.maxLineBytes else {
                throw EngineError(.invalidEvent, "Event \(index + 1) of \(drafts.count) (\(draft.type)) is \(size) bytes, over the 64 KiB line limit of room \(roomID). Nothing was sent; shorten it.")
            }
            unsigned.append(event)
        }
        guard !unsigned.isEmpty else { return ([], nextOrdinal) }
        chain = next
        let first = nextOrdinal
        nextOrdinal += unsigned.count
        return (unsigned, first)
    }

    /// Signs and encodes events in parallel chunks, keeping their order.
    @concurrent
    private nonisolated static func signAll(_ unsigned: [UnsignedEvent], with key: SigningKey) async -> [(event: Event, line: [UInt8])] {
        let chunk = max(64, unsigned.count / 8)
        let starts = Array(stride(from: 0, to: unsigned.count, by: chunk))
        var parts: [Int: [(event: Event, line: [UInt8])]] = [:]
        await withTaskGroup(of: (Int, [(event: Event, line: [UInt8])]).self) { group in
            for start in starts {
                group.addTask {
                    let slice = unsigned[start..<min(start + chunk, unsigned.count)]
                    return (start, slice.map { $0.signedLine(with: key) })
                }
            }
            for await (start, part) in group { parts[start] = part }
        }
        return starts.flatMap { parts[$0] ?? [] }
    }
}
