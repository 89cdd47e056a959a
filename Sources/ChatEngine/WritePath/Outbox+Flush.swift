extension Outbox {
    /// Waits until every event journaled before the call is in the store.
    ///
    /// Keeps waiting through failures that may pass (the uploader retries
    /// them); throws when the store refuses for good (a conflicting object,
    /// access denied) or when the caller's task is cancelled.
    public func flush() async throws(EngineError) {
        let target = nextOrdinal
        if confirmedThrough >= target { return }
        if let refusal { throw refusal }
        let id = nextWaiterID
        nextWaiterID += 1
        do {
            try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                    if Task.isCancelled {
                        continuation.resume(throwing: EngineError(.cancelled, "The flush of room \(roomID) was cancelled."))
                    } else {
                        flushWaiters.append(FlushWaiter(id: id, target: target, continuation: continuation))
                    }
                }
            } onCancel: {
                Task { await self.cancelFlush(id) }
            }
        } catch let error as EngineError {
            throw error
        } catch {
            throw EngineError(.cancelled, "The flush of room \(roomID) ended: \(error)")
        }
    }

    /// Waits until every event journaled before the call is in the store, or
    /// until `deadline` passes (nil: no deadline). Returns whether everything
    /// is uploaded; what is not stays journaled, and the uploader goes on.
    /// Throws as ``flush()`` does when the store refuses for good.
    public func flush(until deadline: ContinuousClock.Instant?) async throws(EngineError) -> Bool {
        guard let deadline else {
            try await flush()
            return true
        }
        do {
            return try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    try await self.flush()
                    return true
                }
                group.addTask {
                    try? await Task.sleep(until: deadline)
                    return false
                }
                let first = try await group.next() ?? false
                group.cancelAll()
                return first
            }
        } catch let error as EngineError {
            throw error
        } catch {
            throw EngineError(.cancelled, "The flush of room \(roomID) ended: \(error)")
        }
    }

    func resumeFlushes() {
        let done = flushWaiters.filter { $0.target <= confirmedThrough }
        flushWaiters.removeAll { $0.target <= confirmedThrough }
        for waiter in done { waiter.continuation.resume() }
    }

    func failFlushes(_ error: EngineError) {
        let waiting = flushWaiters
        flushWaiters = []
        for waiter in waiting { waiter.continuation.resume(throwing: error) }
    }

    private func cancelFlush(_ id: Int) {
        guard let index = flushWaiters.firstIndex(where: { $0.id == id }) else { return }
        let waiter = flushWaiters.remove(at: index)
        waiter.continuation.resume(throwing: EngineError(.cancelled, "The flush of room \(roomID) was cancelled; the events stay journaled and the uploader keeps going."))
    }
}
