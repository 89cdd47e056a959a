import ChatProtocol
import ObjectStore

/// Listing: asks the ``ListingWindow`` what a poll lists, lists it, and keeps
/// the window told of every object that becomes known.
extension RoomSync {
    /// `breadth`: the window's schedule, or (with notifications on) the wide
    /// window for the safety listing and the quick one to catch up.
    func list(full: Bool, breadth: ListingWindow.Breadth = .scheduled) async throws(StoreError) -> [ObjectInfo] {
        let room = RoomObjectKey.roomPrefix(roomID: roomID)
        let nowMs = wallClock()
        switch window.plan(full: full, breadth: breadth, nowMs: nowMs) {
        case .everything:
            // Shared files' bytes are fetched on demand, never by a sync: a
            // room's 100 MiB video must not be downloaded by every reader.
            let attachments = room + "attachments/"
            return try await store.list(prefix: room).filter { !$0.key.utf8.starts(with: attachments.utf8) }
        case .folders(let folders, let margin):
            var out: [ObjectInfo] = []
            for folder in folders {
                out += try await store.list(prefix: folder, startAfter: window.watermark(folder, nowMs: nowMs, margin: margin))
            }
            return out
        }
    }

    /// Records an object as known and, for a log object, its start time as
    /// the newest of its date folder if it is; returns the log name and folder.
    @discardableResult
    func noteKnown(_ info: ObjectInfo) -> (name: LogObjectName, folder: String)? {
        known[info.key] = info
        guard let name = LogObjectName(key: info.key) else { return nil }
        return (name, window.noteStart(name))
    }
}
