import ChatProtocol
import Foundation
import ObjectStore

/// Uploads an outbox's journaled events as log objects, one at a time and
/// in order, on the schedule of an ``UploadPolicy``.
///
/// Run one per outbox: `let task = Task { await uploader.run() }`, and
/// cancel the task to stop it. A failed upload is retried with exponential
/// backoff and full jitter for as long as it takes; the same batch (same name,
/// same bytes) is retried, never re-formed, so a store that comes back after
/// hours receives exactly what it would have.
public struct Uploader: Sendable {
    public let outbox: Outbox
    public let store: any ObjectStore
    public let policy: UploadPolicy
    /// Where a shared file's blob goes once its event is uploaded (the
    /// sender's own downloads are then instant); nil: it is removed.
    public let attachments: AttachmentCache?

    public init(outbox: Outbox, store: any ObjectStore, policy: UploadPolicy = .standard, attachments: AttachmentCache? = nil) {
        self.outbox = outbox
        self.store = store
        self.policy = policy
        self.attachments = attachments
    }

    /// Uploads until the task is cancelled, or until the journal fails
    /// (then ``Outbox/status`` holds the error and flushes throw it).
    public func run() async {
        let wakeups = await outbox.wakeups()
        var iterator = wakeups.makeAsyncIterator()
        var lastStart: ContinuousClock.Instant?
        // Waiting for a due time is done in short naps so that a batch that
        // fills up meanwhile goes out at once.
        let nap = Duration.milliseconds(20)
        while !Task.isCancelled {
            var batch = await outbox.oldestBatch()
            if batch == nil {
                let waiting = await outbox.unbatched(maxEvents: policy.maxEvents, maxBytes: policy.maxBytes)
                guard let since = waiting.since else {
                    if await iterator.next() == nil { return }
                    continue
                }
                if !(waiting.full && policy.sendFullBatchesAtOnce) {
                    let due = policy.due(firstEvent: since, lastStart: lastStart)
                    let now = ContinuousClock.now
                    if now < due {
                        try? await Task.sleep(for: min(due - now, nap))
                        continue
                    }
                }
                do {
                    batch = try await outbox.formBatch(maxEvents: policy.maxEvents, maxBytes: policy.maxBytes)
                } catch {
                    await outbox.recordFailure(error, refused: true)
                    return
                }
            }
            guard let batch else { continue }
            lastStart = .now
            guard await upload(batch) else { return }
        }
    }

    /// Puts one batch until the store has it; false when cancelled or the journal failed.
    private func upload(_ batch: UploadBatch) async -> Bool {
        var attempt = 0
        while !Task.isCancelled {
            let failure: EngineError
            let refused: Bool
            do {
                // The files first: an event must never be in the store before the bytes it names.
                for sha in batch.attachments { try await putBlob(sha) }
                let key = try ObjectKey(batch.name.key)
                switch try await store.putIfAbsent(key, Data(batch.bytes)) {
                case .created, .alreadyExists(sameBytes: true):
                    do {
                        try await outbox.confirm(batch, attachments: attachments)
                    } catch {
                        await outbox.recordFailure(error, refused: true)
                        return false
                    }
                    return true
                case .alreadyExists(sameBytes: false):
                    failure = EngineError(.conflict, "The store \(store.locationDescription) already holds a different object at \(batch.name.key), the name of this device's next log file in room \(outbox.roomID). Another device may share client id \(outbox.clientID): give each device its own. The batch is kept and retried.")
                    refused = true
                }
            } catch {
                refused = Self.isRefusal(error.code)
                failure = EngineError(refused ? .storeRefused : .storeUnavailable,
                                      "Uploading \(batch.name.key) (\(batch.count) events) to \(store.locationDescription) failed; \(refused ? "fix the store's settings or permissions" : "retrying with backoff"). \(error.message)",
                                      cause: error)
            }
            await outbox.recordFailure(failure, refused: refused)
            attempt += 1
            do {
                try await Task.sleep(for: policy.retryDelay(attempt: attempt))
            } catch {
                return false
            }
        }
        return false
    }

    /// Puts a shared file's blob at `rooms/{room}/attachments/{sha}`. An
    /// object already there is success: the key is the bytes' hash, so it is
    /// the same file (shared before, or a first try that landed), and readers
    /// check the hash anyway.
    private func putBlob(_ sha: String) async throws(StoreError) {
        let key = try ObjectKey(RoomObjectKey.attachmentKey(roomID: outbox.roomID, sha256: sha))
        var path = outbox.blobs.path(of: sha)
        if !outbox.blobs.contains(sha) {
            // Uploaded and tidied away with an earlier event naming the same bytes.
            if try await store.head(key) != nil { return }
            guard let cached = await attachments?.cachedPath(sha256: sha) else {
                throw StoreError(.notFound, "The bytes of a file shared in room \(outbox.roomID) (sha256 \(sha)) are neither in \(outbox.blobs.folder) nor in \(store.locationDescription); the events from that share on wait. Put the file back at \(outbox.blobs.path(of: sha)) to let them go.")
            }
            path = cached
        }
        _ = try await store.putFileIfAbsent(key, path: path, progress: nil)
    }

    /// Failures that will not pass by themselves; the uploader still retries
    /// them (someone may fix the store), but flushes fail fast.
    static func isRefusal(_ code: StoreError.Code) -> Bool {
        switch code {
        case .invalidKey, .invalidLocation, .missingCredentials, .noSuchBucket, .accessDenied, .preconditionFailed, .tooLarge: return true
        case .notFound, .unreachable, .serverError, .badResponse, .io: return false
        }
    }
}
