/// The per-room streams of ``RoomView``s that faces watch.
extension RoomHost {
    /// A stream of the room's views, in order: first one that holds
    /// everything known so far (the timeline as history, rejections, alarms;
    /// nothing when the room has not loaded yet, whose first sync then brings
    /// its history), then one per sync. It ends when the host stops or the
    /// caller stops iterating. A view is never lost or doubled between the
    /// first and the next: subscribing waits for a sync in progress.
    public func views(of roomID: String) async -> AsyncStream<RoomView> {
        let (stream, continuation) = AsyncStream.makeStream(of: RoomView.self, bufferingPolicy: .unbounded)
        guard !closing else {
            continuation.finish()
            return stream
        }
        await enter(roomID)
        defer { leave(roomID) }
        if let session = session(roomID), loaded.contains(roomID) {
            let updates = await session.sync.currentDelivery()
            continuation.yield(RoomView(roomID: roomID, updates: updates, verification: await session.sync.verification,
                                        metadata: await session.sync.metadata, upload: await session.outbox.status, failure: nil))
        }
        let id = nextWatcher
        nextWatcher += 1
        watchers[roomID, default: [:]][id] = continuation
        continuation.onTermination = { [weak self] _ in
            Task { await self?.unwatch(roomID, id) }
        }
        return stream
    }

    private func unwatch(_ roomID: String, _ id: Int) {
        watchers[roomID]?[id] = nil
        if watchers[roomID]?.isEmpty == true { watchers[roomID] = nil }
    }

    /// Hands a view to everyone watching its room.
    func publish(_ view: RoomView) {
        for continuation in (watchers[view.roomID] ?? [:]).values { continuation.yield(view) }
    }

    /// Ends every stream (the host stops).
    func finishViews() {
        for continuation in watchers.values.flatMap(\.values) { continuation.finish() }
        watchers = [:]
    }

    /// Waits until no one else syncs or subscribes to the room, then holds it:
    /// a view taken for a new watcher and the diff of a sync never overlap.
    func enter(_ roomID: String) async {
        while busy.contains(roomID) {
            await withCheckedContinuation { waiting[roomID, default: []].append($0) }
        }
        busy.insert(roomID)
    }

    func leave(_ roomID: String) {
        busy.remove(roomID)
        let next = waiting[roomID] ?? []
        waiting[roomID] = nil
        for continuation in next { continuation.resume() }
    }
}
