import ChatProtocol
import Foundation
import Synchronization

/// A device's outgoing events in one room: signs them on one hash chain,
/// journals them durably, and hands them to the ``Uploader`` in batches.
///
/// One outbox per room per device identity. Each send takes its place in the
/// chain on the actor, is signed off it, and goes to the journal in chain
/// order, so concurrent senders still form one chain in journal order; they
/// then wait together for the fsync, off the actor.
public actor Outbox {
    /// A log line is at most 64 KiB, newline included (PROTOCOL.md §1).
    public static let maxLineBytes = 65_536

    public nonisolated let roomID: String
    public nonisolated let clientID: String
    public nonisolated let journal: Journal
    /// Bytes cut from a torn journal tail when this outbox opened.
    public nonisolated let recoveredTornBytes: Int
    /// Files shared here whose events may not be uploaded yet (``BlobArea``).
    public nonisolated let blobs: BlobArea

    var chain: DeviceChain
    /// Ordinal of `pending[0]`: every event before it is confirmed in the store.
    var confirmedThrough: Int
    /// Events not yet confirmed uploaded, in journal order.
    var pending: [Event]
    /// The canonical line of each pending event (no newline): encoded once, when
    /// the event is journaled, and reused for its batch.
    var pendingLines: [[UInt8]]
    /// Ordinal the next event gets.
    var nextOrdinal: Int
    /// Ordinal of the next event to go to the journal: events are signed in
    /// parallel but journaled in chain order.
    var journalNext: Int
    /// Sends whose event is signed and waits for the events before it.
    var turnWaiters: [Int: CheckedContinuation<Void, Never>] = [:]
    /// Events before this ordinal are fsynced (acknowledged), as far as the
    /// actor has looked: ``observeDurability()`` brings it up to ``durability``.
    var durableThrough: Int
    /// Set on the journal's queue after each fsync: how far the journal is
    /// durable, and the uploader's wakeup.
    nonisolated let durability: Mutex<Durability>
    /// The device key, for signing off the actor.
    nonisolated let key: SigningKey
    /// When the oldest durable, unbatched event became durable.
    var oldestUnbatchedAt: ContinuousClock.Instant?
    /// Formed, unconfirmed batches, oldest first; they cover `pending` from its start.
    var batches: [UploadBatch] = []
    /// Events before this ordinal belong to a batch.
    var batchedThrough: Int
    var lastUpload: (date: Date, key: String)?
    var lastError: String?
    var refusal: EngineError?
    var flushWaiters: [FlushWaiter] = []
    var nextWaiterID = 0
    /// The clock events are stamped with (tests move it).
    let now: @Sendable () -> Int64

    struct Durability {
        var through: Int
        var wakeup: AsyncStream<Void>.Continuation?
    }

    struct FlushWaiter {
        let id: Int
        let target: Int
        let continuation: CheckedContinuation<Void, any Error>
    }

    /// Opens the outbox of `clientID` in `roomID` from its journal under
    /// `stateFolder`, continuing the chain from the last journaled event and
    /// re-forming the batches that were journaled but not confirmed. A fully
    /// uploaded journal over `compactJournalAbove` bytes is first compacted.
    /// Reads the journal synchronously: open outboxes at start-up, not per message.
    public init(stateFolder: String, roomID: String, senderID: String, clientID: String, key: SigningKey,
                compactJournalAbove: Int = 1 << 20,
                syncHook: (@Sendable () -> Void)? = nil,
                now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }) throws(EngineError) {
        guard RoomID.isValid(roomID) else {
            throw EngineError(.invalidEvent, "The room id \"\(roomID)\" must match [A-Za-z0-9_-]{1,64}.")
        }
        guard RoomID.isValid(clientID) else {
            throw EngineError(.invalidEvent, "The client id \"\(clientID)\" must match [A-Za-z0-9_-]{1,64}; pick a device name of letters, digits, _ and -.")
        }
        let path = Journal.path(stateFolder: stateFolder, roomID: roomID, clientID: clientID)
        let (journal, contents) = try Journal.open(path: path, syncHook: syncHook, compactAbove: compactJournalAbove)
        if let last = contents.lastEvent, last.senderID != senderID || last.roomID != roomID {
            throw EngineError(.journalCorrupt, "The journal \(path) belongs to \(last.senderID) in room \(last.roomID), not \(senderID) in \(roomID). Use a client id per identity.")
        }
        self.roomID = roomID
        self.clientID = clientID
        self.journal = journal
        self.recoveredTornBytes = contents.truncatedBytes
        blobs = BlobArea(stateFolder: stateFolder, roomID: roomID)
        self.now = now
        chain = DeviceChain(roomID: roomID, senderID: senderID, key: key, prevEventHash: contents.lastEvent?.hash,
                            clock: DeviceClock(last: contents.lastEvent?.timestampMs ?? 0))
        confirmedThrough = contents.confirmedThrough
        pending = contents.pending
        pendingLines = contents.pending.map(\.lineBytes)
        nextOrdinal = contents.nextOrdinal
        journalNext = contents.nextOrdinal
        durableThrough = contents.nextOrdinal
        durability = Mutex(Durability(through: contents.nextOrdinal, wakeup: nil))
        self.key = key
        batchedThrough = contents.confirmedThrough
        for open in contents.openBatches {
            let slice = Array(pending[(open.first - confirmedThrough)..<(open.first - confirmedThrough + open.count)])
            let encoded: (name: LogObjectName, bytes: [UInt8])
            do {
                encoded = try LogFile.encode(lines: Array(pendingLines[(open.first - confirmedThrough)..<(open.first - confirmedThrough + open.count)]),
                                             timestamps: slice.map(\.timestampMs), roomID: roomID, clientID: clientID)
            } catch {
                throw EngineError(.journalCorrupt, "The journal \(path) holds a batch at event \(open.first) that no longer encodes. Keep the file for inspection.", cause: error)
            }
            guard encoded.name.key == open.key else {
                throw EngineError(.journalCorrupt, "The journal \(path) recorded batch \(open.key), but its events encode as \(encoded.name.key). Keep the file for inspection.")
            }
            batches.append(UploadBatch(first: open.first, count: open.count, name: encoded.name, bytes: encoded.bytes,
                                       attachments: UploadBatch.attachments(of: slice)))
            batchedThrough = open.first + open.count
        }
        if batchedThrough < durableThrough { oldestUnbatchedAt = .now }
        blobs.tidy(keeping: Set(UploadBatch.attachments(of: pending)))
    }

    /// Signs the next event of this device's chain, journals it, and returns
    /// it once it is durable on disk.
    ///
    /// Two short visits to the actor: one to take the event's place in the
    /// chain, one to hand it to the journal in chain order. The signature is
    /// made in between, on whichever core is free, and the wait for the fsync
    /// happens off the actor too.
    ///
    /// - Parameter notBefore: the earliest timestamp the event may carry, when it
    ///   must sort after events this device's clock may be behind of.
    @concurrent
    public nonisolated func send(type: String, content: JSONObject, parentEventID: String? = nil, notBefore: Int64 = 0,
                                 sealing: EventSeal? = nil) async throws(EngineError) -> Event {
        let (unsigned, ordinal) = try await place(type: type, content: content, parentEventID: parentEventID, notBefore: notBefore, sealing: sealing)
        let (event, line) = unsigned.signedLine(with: key)
        let ticket = JournalTicket()
        await journalInTurn(first: ordinal, events: [event], lines: [line], ticket: ticket)
        try await ticket.durable()
        return event
    }

    /// The event's place in the chain (timestamp, prev hash, own hash), taken
    /// on the actor. It is cheap, and once taken the next send can take the next place.
    private func place(type: String, content: JSONObject, parentEventID: String?, notBefore: Int64,
                       sealing: EventSeal?) throws(EngineError) -> (UnsignedEvent, Int) {
        var next = chain
        let unsigned: UnsignedEvent
        do {
            unsigned = try next.prepare(type: type, content: content, parentEventID: parentEventID, nowMs: max(now(), notBefore), sealing: sealing)
        } catch {
            throw EngineError(.invalidEvent, "Could not sign a \(type) event in room \(roomID): \(error.message)", cause: error)
        }
        let size = unsigned.canonical.count + UnsignedEvent.signatureBytes
        guard size + 1 <= Self.maxLineBytes else {
            throw EngineError(.invalidEvent, "The \(type) event is \(size) bytes, over the 64 KiB line limit of room \(roomID). Send a shorter message or share the content as an attachment.")
        }
        chain = next
        let ordinal = nextOrdinal
        nextOrdinal += 1
        return (unsigned, ordinal)
    }

    /// Hands signed events to the journal once every event before them has
    /// gone there, so journal order is chain order; `ticket` completes when
    /// they are durable. Returns without waiting for the fsync.
    func journalInTurn(first: Int, events: [Event], lines: [[UInt8]], ticket: JournalTicket) async {
        await waitForTurn(first)
        pending += events
        pendingLines += lines
        let through = first + events.count
        journal.submit(lines.map { .event(line: $0) }) { [self] outcome in
            if case .success = outcome { markDurable(through: through) }
            ticket.complete(outcome)
        }
        passTurn(after: events.count)
    }

    /// Runs on the journal's queue after an fsync: records how far the journal
    /// is durable and wakes the uploader, without waiting for the actor.
    private nonisolated func markDurable(through: Int) {
        let wakeup = durability.withLock { state -> AsyncStream<Void>.Continuation? in
            state.through = max(state.through, through)
            return state.wakeup
        }
        wakeup?.yield()
    }

    /// Brings ``durableThrough`` up to what the journal reported durable.
    func observeDurability() {
        let through = durability.withLock { $0.through }
        guard through > durableThrough else { return }
        if batchedThrough == durableThrough { oldestUnbatchedAt = .now }
        durableThrough = through
    }

    /// Waits until every event before `ordinal` has gone to the journal.
    func waitForTurn(_ ordinal: Int) async {
        guard journalNext != ordinal else { return }
        await withCheckedContinuation { turnWaiters[ordinal] = $0 }
    }

    /// Lets the events after the last `count` journaled ones go to the journal.
    func passTurn(after count: Int = 1) {
        journalNext += count
        turnWaiters.removeValue(forKey: journalNext)?.resume()
    }

    /// What the uploader and users see.
    public var status: UploadStatus {
        UploadStatus(pendingEvents: nextOrdinal - confirmedThrough, lastUpload: lastUpload, lastError: lastError, refusal: refusal)
    }

    /// Ordinal the next event gets: the number of events this device ever journaled in the room.
    public var journaledCount: Int { nextOrdinal }
}
