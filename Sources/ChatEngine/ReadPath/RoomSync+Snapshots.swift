import ChatProtocol
import Foundation
import ObjectStore

/// Snapshots: the ledger restored from the cache at open instead of verified
/// again, and written back in the background as it changes.
extension RoomSync {
    /// Replaces the empty ledger with the room's snapshot, if the cache holds
    /// one that still matches the store (`versions`: what the store shows,
    /// by key). Objects the snapshot covers are then known, and the next
    /// sync fetches only what is new.
    func restoreSnapshot(_ versions: [String: ObjectInfo]) {
        guard let cache, known.isEmpty, let bytes = cache.snapshot(roomID: roomID),
              let restored = RoomLedger.restore(bytes, roomID: roomID, verifier: ledger.verifier,
                                                versions: versions.mapValues(RoomSync.versionTag))
        else { return }
        ledger = restored
        for key in restored.objectKeys {
            if let info = versions[key] { noteKnown(info) }
        }
        deliverEverything = true
        restoredFromSnapshot = true
        snapshotWrittenAt = .now
    }

    /// How a snapshot names the version of an object it holds.
    static func versionTag(_ info: ObjectInfo) -> String { "\(info.size) \(info.etag)" }

    /// Writes the ledger as the room's snapshot in the background, if there is
    /// none yet or the last one is older than ``SyncSettings/snapshotInterval``
    /// and no write is under way.
    func writeSnapshotIfDue() {
        guard cache != nil, snapshotWrite == nil,
              snapshotWrittenAt.map({ ContinuousClock.now - $0 >= settings.snapshotInterval }) ?? true
        else { return }
        writeSnapshot()
    }

    private func writeSnapshot() {
        guard let cache else { return }
        // The ledger is a value: the copy is written while polls go on.
        let ledger = self.ledger
        let versions = known
        let roomID = self.roomID
        snapshotWrittenAt = .now
        snapshotStale = false
        snapshotWrite = Task.detached(priority: .utility) { [weak self] in
            if let snapshot = ledger.snapshot(version: { versions[$0].map(RoomSync.versionTag) }) {
                cache.storeSnapshot(snapshot, roomID: roomID)
            }
            await self?.snapshotWriteEnded()
        }
    }

    private func snapshotWriteEnded() { snapshotWrite = nil }

    /// Writes the room's snapshot now if the ledger changed since the last
    /// one, and returns once it is on disk: for a process about to exit, so
    /// that its next open is fast.
    public func saveSnapshot() async {
        await snapshotWrite?.value
        guard snapshotStale else { return }
        writeSnapshot()
        await snapshotWrite?.value
    }

    /// Waits for a snapshot write under way, if any.
    public func snapshotWritten() async {
        await snapshotWrite?.value
    }
}
