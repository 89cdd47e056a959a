import ChatProtocol
import Foundation
import ObjectStore

/// What a filesystem mount needs beyond the command line's actions: sending
/// many messages with one rules check and one journal append, and creating a
/// room without waiting on the store.
extension RoomSession {
    /// Sends messages (one event per body) as one journal append.
    ///
    /// The room's rules are checked once, for the first message: further
    /// messages of the same sender in the same call are allowed exactly when
    /// the first is. Pending messages are left out of the preview unless this
    /// is a reply (a reply may name a pending message), so a long burst of
    /// `cat file > send` does not re-check its own backlog on every write.
    /// Unlike ``view()`` this never walks the whole timeline.
    public func sendMessages(_ bodies: [String], msgtype: String = "m.text", replyTo parentID: String? = nil) async throws(EngineError) -> [Event] {
        guard !bodies.isEmpty else { return [] }
        let verification = await sync.verification
        let unsynced = await outbox.pendingEvents.filter { !verification.state.contains(eventID: $0.eventID) }
        let relevant = parentID == nil ? unsynced.filter { $0.type != EventType.message } : unsynced
        let first = MessageContent(body: bodies[0], msgtype: msgtype).json
        if verification.metadata != nil {
            let preview: Event
            do {
                preview = try Event.signed(roomID: roomID, timestampMs: Int64(Date().timeIntervalSince1970 * 1000) + 1,
                                           senderID: identity.senderID, type: EventType.message, content: first,
                                           parentEventID: parentID, prevEventHash: nil, key: identity.key)
            } catch {
                throw EngineError(.invalidEvent, "Room \(roomID): \(error.message)", cause: error)
            }
            if case .rejected(_, let why)? = verification.preview(relevant + [preview], signedBy: identity.key.publicKey).last {
                throw EngineError(.forbidden, "Room \(roomID) does not allow this: \(why). Nothing was sent.")
            }
        }
        let drafts = bodies.map { EventDraft(type: EventType.message, content: MessageContent(body: $0, msgtype: msgtype).json, parentEventID: parentID) }
        return try await outbox.sendAll(drafts)
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
                                            displayName: String? = nil, identity: DeviceIdentity, store: any ObjectStore,
                                            stateFolder: String, cache: ObjectCache? = nil,
                                            syncSettings: SyncSettings = SyncSettings(), policy: UploadPolicy = .standard) async throws(EngineError) -> RoomSession {
        let roomID = RoomID.generate()
        let metadata: RoomMetadata
        do {
            metadata = try RoomMetadata.signed(roomID: roomID, name: name, description: description,
                                               createdAt: ISO8601DateFormatter().string(from: Date()),
                                               creator: identity.senderID, key: identity.key, joinRule: joinRule)
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
                                      cache: cache, syncSettings: syncSettings, policy: policy)
        var content = JSONObject([("membership", "join"), ("public_key", .string(identity.key.publicKey.base64)),
                                  ("device_id", .string(identity.clientID))])
        if let displayName { content["displayname"] = .string(displayName) }
        _ = try await session.outbox.send(type: EventType.member, content: content)
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
}

extension RoomSession {
    /// Whether this room's metadata still waits in the state folder (no actor hop needed).
    public nonisolated func hasPendingMetadataFile(stateFolder: String) -> Bool {
        FileManager.default.fileExists(atPath: RoomSession.pendingMetadataFolder(stateFolder: stateFolder) + "/" + roomID + ".json")
    }
}
