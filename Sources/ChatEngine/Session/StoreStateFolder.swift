import ChatProtocol
import Foundation
import ObjectStore

/// One identity's state for one store: the journals, the rooms created here
/// whose metadata waits to be uploaded, and the creator-key pins, in
/// `ROOT/stores/STORE_ID/`.
///
/// A room id names a room only within its store: the same id in two stores
/// is two rooms. Kept in one folder for all stores, a journal written for one
/// store would be uploaded into another (a room there with no metadata), and
/// its chain, continued in the second store, would leave a gap in the first.
public struct StoreStateFolder: Sendable {
    /// The identity's state folder, which holds a folder per store.
    public let root: String
    /// This store's folder.
    public let path: String

    /// The folder for a store, named by ``id(for:)``.
    public init(root: String, storeDescription: String) {
        self.root = root
        path = root + "/stores/" + StoreStateFolder.id(for: storeDescription)
    }

    /// A stable folder name for a store location (`s3://bucket/prefix`, a
    /// folder path): its last 48 characters (the telling end of a path) made
    /// safe, and unique through a digest of the whole text.
    public static func id(for storeDescription: String) -> String {
        let readable = String(storeDescription.unicodeScalars.suffix(48).map { RoomID.isValid(String($0)) ? Character($0) : "_" })
        let digest = SHA256.hexDigest(SHA256.digest(Array(storeDescription.utf8))).prefix(12)
        return readable + "-" + digest
    }

    /// Where the state lived before it was kept per store.
    var legacyFolders: (journal: String, pending: String, pins: String) {
        (root + "/journal", RoomSession.pendingMetadataFolder(stateFolder: root), root + "/creator-keys")
    }

    /// Moves what the unscoped layout of earlier versions holds for this
    /// store into this store's folder, and returns the rooms moved.
    ///
    /// A room's journal and pin move when this store holds the room's
    /// `metadata.json`; a room created offline (metadata not uploaded yet)
    /// moves to the first store opened, where it would have been published
    /// before. Everything else stays for the store that holds it. Nothing
    /// moves while the store cannot be asked, or while another process holds
    /// the room's journal. Safe to run from several processes at once: each
    /// move is one rename, and a room already moved is left alone.
    @discardableResult
    public func migrateUnscopedState(store: any ObjectStore) async -> [String] {
        let fm = FileManager.default
        let legacy = legacyFolders
        let journaled = Journal.rooms(stateFolder: root)
        let pending = RoomSession.pendingMetadataRooms(stateFolder: root)
        let pinned = ((try? fm.contentsOfDirectory(atPath: legacy.pins)) ?? []).filter { RoomID.isValid($0) }
        guard !journaled.isEmpty || !pending.isEmpty || !pinned.isEmpty else { return [] }
        var moved: [String] = []
        for roomID in Set(journaled + pending + pinned).sorted() {
            let createdHere = pending.contains(roomID)
            if !createdHere {
                guard let held = try? await holds(roomID, in: store), held else { continue }
            }
            if move(roomID, legacy: legacy) { moved.append(roomID) }
        }
        for folder in [legacy.journal, legacy.pending, legacy.pins] where (try? fm.contentsOfDirectory(atPath: folder))?.isEmpty == true {
            try? fm.removeItem(atPath: folder)
        }
        return moved
    }

    /// Whether the store holds the room's metadata (throws when it cannot be asked).
    private func holds(_ roomID: String, in store: any ObjectStore) async throws(StoreError) -> Bool {
        do {
            _ = try await store.get(try ObjectKey(RoomObjectKey.metadataKey(roomID: roomID)))
            return true
        } catch {
            if error.code == .notFound || error.code == .invalidKey { return false }
            throw error
        }
    }

    /// Moves one room's journal folder, pending metadata and pin; false when
    /// its journal is in use or a move failed.
    private func move(_ roomID: String, legacy: (journal: String, pending: String, pins: String)) -> Bool {
        let fm = FileManager.default
        let journal = Journal.folder(stateFolder: root, roomID: roomID)
        // Hold every journal lock of the room while it moves, so a running
        // process of an earlier version never appends to a journal in flight.
        var locks: [JournalLock] = []
        for file in (try? fm.contentsOfDirectory(atPath: journal)) ?? [] where file.hasSuffix(".journal") {
            guard let lock = try? JournalLock(journalPath: journal + "/" + file, timeout: .zero) else { return false }
            locks.append(lock)
        }
        let moves = [
            (journal, Journal.folder(stateFolder: path, roomID: roomID)),
            (legacy.pending + "/" + roomID + ".json", RoomSession.pendingMetadataFolder(stateFolder: path) + "/" + roomID + ".json"),
            (legacy.pins + "/" + roomID, path + "/creator-keys/" + roomID),
        ]
        var ok = true
        for (from, to) in moves where fm.fileExists(atPath: from) {
            guard !fm.fileExists(atPath: to) else { continue }
            do {
                try fm.createDirectory(atPath: (to as NSString).deletingLastPathComponent, withIntermediateDirectories: true,
                                       attributes: [.posixPermissions: 0o700])
                try fm.moveItem(atPath: from, toPath: to)
            } catch {
                ok = false
            }
        }
        withExtendedLifetime(locks) {}
        return ok
    }
}
