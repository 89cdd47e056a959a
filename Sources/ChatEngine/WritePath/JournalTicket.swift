import Synchronization

/// One submission's wait for the journal's fsync, kept apart from the
/// ``Outbox`` actor: the journal's queue completes it, and the sender resumes
/// wherever it runs, without a hop onto the actor just to return.
final class JournalTicket: Sendable {
    private struct FsyncHandoff {
        var outcome: Result<Void, EngineError>?
        var waiter: CheckedContinuation<Result<Void, EngineError>, Never>?
    }

    private let state = Mutex(FsyncHandoff())

    /// Called once, from the journal's queue, when the records are durable or failed.
    func complete(_ outcome: Result<Void, EngineError>) {
        let waiter = state.withLock { state -> CheckedContinuation<Result<Void, EngineError>, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.outcome = outcome
            return nil
        }
        waiter?.resume(returning: outcome)
    }

    /// Returns once the records are durable; throws what the journal reported.
    func durable() async throws(EngineError) {
        let outcome: Result<Void, EngineError> = await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Result<Void, EngineError>? in
                if let outcome = state.outcome { return outcome }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
        try outcome.get()
    }
}
