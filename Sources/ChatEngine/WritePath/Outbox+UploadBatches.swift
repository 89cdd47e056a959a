import ChatProtocol
import Foundation

// The uploader's side of the outbox: durable events formed into upload
// batches, each batch journaled before it goes out and confirmed after.
extension Outbox {
    /// What is waiting to be batched: durable events not in any batch.
    struct Unbatched: Sendable {
        let count: Int
        let bytes: Int
        let since: ContinuousClock.Instant?
        /// One batch's worth is waiting (events or bytes), so waiting longer gathers nothing.
        let full: Bool
    }

    /// A stream that yields whenever new events become durable. One
    /// uploader per outbox: a new stream replaces the previous one.
    func wakeups() -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let previous = durability.withLock { state in
            defer { state.wakeup = continuation }
            return state.wakeup
        }
        previous?.finish()
        observeDurability()
        if batchedThrough < durableThrough { continuation.yield() }
        return stream
    }

    /// The oldest formed batch not yet confirmed, if any: it goes out first.
    func oldestBatch() -> UploadBatch? { batches.first }

    /// Durable events that no batch holds yet (up to what one batch may take).
    func unbatched(maxEvents: Int, maxBytes: Int) -> Unbatched {
        observeDurability()
        let start = batchedThrough - confirmedThrough
        let end = durableThrough - confirmedThrough
        var count = 0
        var bytes = 0
        var index = start
        while index < end, count < maxEvents, bytes + pendingLines[index].count + 1 <= maxBytes {
            bytes += pendingLines[index].count + 1
            count += 1
            index += 1
        }
        // Defensive: durable, unbatched events always have a start time.
        if count > 0, oldestUnbatchedAt == nil { oldestUnbatchedAt = .now }
        // A batch is also full when the next event would not fit.
        let full = count == maxEvents || (index < end && count > 0)
        return Unbatched(count: count, bytes: bytes, since: count > 0 ? oldestUnbatchedAt : nil, full: full)
    }

    /// Forms the next batch from durable, unbatched events and journals it
    /// (name and events) before returning, so a restart uploads the same
    /// object under the same name.
    func formBatch(maxEvents: Int, maxBytes: Int) async throws(EngineError) -> UploadBatch? {
        observeDurability()
        let start = batchedThrough - confirmedThrough
        let end = durableThrough - confirmedThrough
        var index = start
        var bytes = 0
        while index < end, index - start < maxEvents, bytes + pendingLines[index].count + 1 <= maxBytes {
            bytes += pendingLines[index].count + 1
            index += 1
        }
        guard index > start else { return nil }
        let events = Array(pending[start..<index])
        let encoded: (name: LogObjectName, bytes: [UInt8])
        do {
            encoded = try LogFile.encode(lines: Array(pendingLines[start..<index]), timestamps: events.map(\.timestampMs),
                                         roomID: roomID, clientID: clientID)
        } catch {
            throw EngineError(.invalidEvent, "Could not encode a log object for room \(roomID): \(error.message)", cause: error)
        }
        let batch = UploadBatch(first: batchedThrough, count: events.count, name: encoded.name, bytes: encoded.bytes,
                                attachments: UploadBatch.attachments(of: events))
        batches.append(batch)
        batchedThrough += events.count
        oldestUnbatchedAt = batchedThrough < durableThrough ? .now : nil
        try await journal.append([.batch(first: batch.first, count: batch.count, key: batch.name.key)])
        return batch
    }

    /// Records that `batch` is in the store: journals it, drops its events
    /// from memory, tidies the blobs no pending event still names (into
    /// `attachments` when given) and wakes the flushes it completes, so a
    /// flush that returns leaves the blob area tidy.
    func confirm(_ batch: UploadBatch, attachments: AttachmentCache? = nil) async throws(EngineError) {
        guard let oldest = batches.first, oldest.first == batch.first else { return }
        batches.removeFirst()
        pending.removeFirst(batch.count)
        pendingLines.removeFirst(batch.count)
        confirmedThrough += batch.count
        lastUpload = (Date(), batch.name.key)
        lastError = nil
        refusal = nil
        // Awaited so that a confirmed flush survives a crash as "uploaded" too;
        // were it lost, the replay would find the same bytes and succeed again.
        try await journal.append([.uploaded(first: batch.first)])
        await releaseBlobs(batch.attachments, into: attachments)
        resumeFlushes()
    }

    /// Records a failed upload; a refusal also fails the waiting flushes.
    func recordFailure(_ error: EngineError, refused: Bool) {
        lastError = error.description
        if refused {
            refusal = error
            failFlushes(error)
        }
    }
}
