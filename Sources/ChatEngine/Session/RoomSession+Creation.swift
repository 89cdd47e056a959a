import ChatProtocol
import Foundation
import ObjectStore

/// Creating rooms: the signed metadata.json, written at once or kept in the
/// state folder until the store takes it, and the creator's join.
extension RoomSession {
    /// Creates a room: writes its signed metadata.json once, then opens it
    /// and journals the creator's join.
    public static func create(name: String, description: String = "", joinRule: RoomMetadata.JoinRule = .invite,
                              isPrivate: Bool = false, displayName: String? = nil, identity: DeviceIdentity, store: any ObjectStore,
                              stateFolder: String, cache: ObjectCache? = nil,
                              syncSettings: SyncSettings = SyncSettings(), policy: UploadPolicy = .standard,
                              epochPolicy: EpochPolicy = .standard,
                              now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }) async throws(EngineError) -> RoomSession {
        var lastConflict = ""
        for _ in 0..<3 {
            let roomID = RoomID.generate()
            let metadata: RoomMetadata
            let key: ObjectKey
            do {
                let created = ISO8601DateFormatter().string(from: Date())
                metadata = try RoomMetadata.signed(roomID: roomID, name: name, description: description, createdAt: created,
                                                   creator: identity.senderID, key: identity.key, joinRule: joinRule, isPrivate: isPrivate)
                key = try ObjectKey(RoomObjectKey.metadataKey(roomID: roomID))
            } catch {
                throw EngineError(.invalidEvent, "Cannot create room \"\(name)\": \(error)")
            }
            let outcome: PutOutcome
            do {
                outcome = try await store.putIfAbsent(key, Data(metadata.bytes))
            } catch {
                throw EngineError(.storeUnavailable, "Cannot create room \"\(name)\" in \(store.locationDescription): \(error.message)", cause: error)
            }
            guard outcome != .alreadyExists(sameBytes: false) else {
                lastConflict = roomID
                continue
            }
            let session = try RoomSession(roomID: roomID, identity: identity, store: store, stateFolder: stateFolder,
                                          cache: cache, syncSettings: syncSettings, policy: policy, epochPolicy: epochPolicy, now: now)
            // The creator's first join needs no check: the metadata just written makes it one.
            _ = try await session.journal(session.draft(.join(displayName: displayName), unsynced: []), notBefore: 0)
            if isPrivate { try await session.startEpoch(for: [identity.key.publicKey], reason: "created") }
            return session
        }
        throw EngineError(.conflict, "Could not create a room: the generated id \(lastConflict) was taken three times in \(store.locationDescription).")
    }

    /// Where metadata of rooms created offline waits until the store has it.
    public static func pendingMetadataFolder(stateFolder: String) -> String {
        stateFolder + "/pending-rooms"
    }

    /// Creates a room without touching the store: signs its metadata, keeps
    /// it in the state folder until ``publishPendingMetadata()`` puts it in the
    /// store, opens the room and journals the creator's join.
    ///
    /// The caller must publish the metadata before it starts uploading or
    /// syncing: logs without metadata read as a room with no root of trust.
    /// A process that dies first publishes it on its next run
    /// (``pendingMetadataRooms(stateFolder:)``).
    public static func createWithoutWaiting(name: String, description: String = "", joinRule: RoomMetadata.JoinRule = .invite,
                                            isPrivate: Bool = false, displayName: String? = nil, identity: DeviceIdentity, store: any ObjectStore,
                                            stateFolder: String, cache: ObjectCache? = nil,
                                            syncSettings: SyncSettings = SyncSettings(), policy: UploadPolicy = .standard,
                                            epochPolicy: EpochPolicy = .standard) async throws(EngineError) -> RoomSession {
        let roomID = RoomID.generate()
        let metadata: RoomMetadata
        do {
            metadata = try RoomMetadata.signed(roomID: roomID, name: name, description: description,
                                               createdAt: ISO8601DateFormatter().string(from: Date()),
                                               creator: identity.senderID, key: identity.key, joinRule: joinRule, isPrivate: isPrivate)
        } catch {
            throw EngineError(.invalidEvent, "Cannot create room \"\(name)\": \(error)")
        }
        let folder = pendingMetadataFolder(stateFolder: stateFolder)
        let path = folder + "/" + roomID + ".json"
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try Data(metadata.bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw EngineError(.journalIO, "Cannot keep the metadata of new room \"\(name)\" in \(path): \(error.localizedDescription). Check that the state folder is writable.")
        }
        let session = try RoomSession(roomID: roomID, identity: identity, store: store, stateFolder: stateFolder,
                                      cache: cache, syncSettings: syncSettings, policy: policy, epochPolicy: epochPolicy)
        // Remembered until the view shows it, as in create: once
        // uploaded the outbox forgets it, and an action checked before the next
        // sync must still count the join.
        _ = try await session.journal(session.draft(.join(displayName: displayName), unsynced: []), notBefore: 0)
        if isPrivate { try await session.startEpoch(for: [identity.key.publicKey], reason: "created") }
        return session
    }

    /// Rooms created here whose metadata the store may not have yet.
    public static func pendingMetadataRooms(stateFolder: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: pendingMetadataFolder(stateFolder: stateFolder))) ?? []
        return names.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.filter { RoomID.isValid($0) }.sorted()
    }

    /// Puts the room's pending metadata in the store (write-once), then forgets
    /// it. Returns quietly when none is pending; throws when the store cannot be
    /// reached (retry later) or holds other metadata under this room id.
    public func publishPendingMetadata(stateFolder: String) async throws(EngineError) {
        let path = RoomSession.pendingMetadataFolder(stateFolder: stateFolder) + "/" + roomID + ".json"
        guard let data = FileManager.default.contents(atPath: path) else { return }
        let key: ObjectKey
        do {
            key = try ObjectKey(RoomObjectKey.metadataKey(roomID: roomID))
        } catch {
            throw EngineError(.invalidEvent, "Room \(roomID) has no valid metadata key: \(error)")
        }
        let outcome: PutOutcome
        do {
            outcome = try await store.putIfAbsent(key, data)
        } catch {
            throw EngineError(.storeUnavailable, "The metadata of room \(roomID) is not in \(store.locationDescription) yet: \(error.message). It is kept in \(path) and retried.", cause: error)
        }
        if outcome == .alreadyExists(sameBytes: false) {
            throw EngineError(.conflict, "\(store.locationDescription) already holds another room \(roomID); the new room's metadata stays in \(path). Create the room again under a new id.")
        }
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Whether this room's metadata still waits in the state folder (no actor hop needed).
    public nonisolated func hasPendingMetadataFile(stateFolder: String) -> Bool {
        FileManager.default.fileExists(atPath: RoomSession.pendingMetadataFolder(stateFolder: stateFolder) + "/" + roomID + ".json")
    }
}
