import ChatEngine
import ChatProtocol
import Foundation

/// One room as the mount shows it: the rendered, append-only files and the
/// little of the room's state the other files need.
///
/// Everything here is read and written only under ``RoomFileSystem``'s lock
/// (hence `@unchecked Sendable`); the session itself is an actor and is
/// called outside the lock.
final class MountedRoom: @unchecked Sendable {
    let roomID: String
    let session: RoomSession

    var timeline = AppendOnlyText()
    var events = EventLog()
    var alerts = AppendOnlyText()
    /// Reply threads by parent event id, each starting with the parent's line.
    var threads: [String: AppendOnlyText] = [:]
    /// Thread parents by short reference, in the order threads appeared.
    var threadReferences: [String: String] = [:]
    /// This device's events shown before the store gave them back, with their timeline line.
    var unconfirmed: [String: Int] = [:]
    /// The same events, which actions are checked against until the sync has them.
    var unsynced: [String: Event] = [:]
    /// `files/`: the shared files, named (``SharedFileList``).
    var files = SharedFileList()
    /// Names in `files/` being written through the mount, by the handle writing each.
    var filesBeingWritten: [String: UInt64] = [:]
    /// Shared files whose fetch failed its check, already told in `alerts`.
    var fileAlarmsShown: Set<String> = []

    var name: String?
    var topic: String?
    var creator: String?
    var joinRule: String?
    var admins: [String] = []
    var members: [(id: String, member: RoomState.Member)] = []
    /// Latest typing event per sender that said true.
    var typing: [String: Int64] = [:]
    var acceptedCount = 0
    var rejectedCount = 0
    var alarmCount = 0
    var integrityOK = true
    /// Whether the room declares no keys (made by another client): its keys are the user's.
    var legacy = false
    /// Whether a sync showed the room's `metadata.json` valid. A room known to
    /// lack it (a journal of a room this store does not hold) is not shown:
    /// no reader can trust it, and nothing may be written to it.
    var hasMetadata = false

    /// Whether a sync (or the cache) has delivered the history yet.
    var loaded = false
    var lastSyncMs: Int64?
    var lastSyncError: String?
    var upload: UploadStatus?
    var metadataPending = false

    /// Whether the room is shown: unless it is known to have no valid metadata.
    var isShown: Bool { hasMetadata || metadataPending || !loaded }
    /// Why the metadata of a room created here is not in the store yet.
    var metadataError: String?
    var modifiedMs: Int64

    /// Kernel poll handles waiting for `follow` to grow; called once, then dropped.
    var pollWaiters: [@Sendable () -> Void] = []

    init(session: RoomSession, nowMs: Int64) {
        roomID = session.roomID
        self.session = session
        modifiedMs = nowMs
    }

    func displayName(of senderID: String) -> String? {
        members.first { $0.id == senderID }?.member.displayName
    }
}
