import ChatProtocol
import Foundation
import ObjectStore

/// What a filesystem mount needs beyond the command line's actions: sending
/// many messages with one rules check and one journal append, and creating a
/// room without waiting on the store.
extension RoomSession {
    /// Sends messages (one event per body) as one journal append.
    ///
    /// `unsynced` are this device's events the caller has shown but the sync
    /// has not given back yet. The outbox forgets an event once it is
    /// uploaded, and the sync learns of it only at its next poll: without
    /// them, a send right after a join would be checked against a room that
    /// does not yet know the join.
    ///
    /// The room's rules are checked once, for the first message: further
    /// messages of the same sender in the same call are allowed exactly when
    /// the first is. Earlier messages are left out of the check unless this
    /// is a reply (a reply may name one), so a long `cat file > send` does not
    /// re-check its own backlog on every write. Never walks the whole timeline.
    public func sendMessages(_ bodies: [String], msgtype: String = "m.text", replyTo parentID: String? = nil,
                             unsynced: [Event] = []) async throws(EngineError) -> [Event] {
        guard !bodies.isEmpty else { return [] }
        let earliest = try await check(EventDraft(type: EventType.message, content: MessageContent(body: bodies[0], msgtype: msgtype).json,
                                                  parentEventID: parentID),
                                       unsynced: unsynced, includeMessages: parentID != nil)
        let drafts = bodies.map { EventDraft(type: EventType.message, content: MessageContent(body: $0, msgtype: msgtype).json, parentEventID: parentID) }
        let sent = try await outbox.sendAll(drafts, notBefore: earliest)
        noteSent(sent)
        return sent
    }

    /// Performs an action, checked against the room's rules with `unsynced`
    /// (see ``sendMessages(_:msgtype:replyTo:unsynced:)``) applied, and
    /// returns its event once durable in the journal.
    public func act(_ action: RoomAction, unsynced: [Event] = []) async throws(EngineError) -> Event {
        func target(_ reference: String) async throws(EngineError) -> String {
            try await resolve(reference, unsynced: unsynced)
        }
        let draft: EventDraft
        switch action {
        case .react(let reference, let reaction):
            draft = EventDraft(type: EventType.reaction, content: JSONObject([("relates_to", .string(try await target(reference))), ("reaction", .string(reaction))]))
        case .edit(let reference, let body):
            draft = EventDraft(type: EventType.edit, content: JSONObject([("replaces", .string(try await target(reference))),
                                                                         ("new_content", .object(MessageContent(body: body).json))]))
        case .redact(let reference, let reason):
            var content = JSONObject([("redacts", .string(try await target(reference)))])
            if let reason { content["reason"] = .string(reason) }
            draft = EventDraft(type: EventType.redaction, content: content)
        case .reply(let reference, let body):
            draft = EventDraft(type: EventType.message, content: MessageContent(body: body).json, parentEventID: try await target(reference))
        case .invite(let userID, let key):
            var content = JSONObject([("membership", "invite"), ("user_id", .string(userID))])
            if let key { content["public_key"] = .string(key.base64) }
            draft = EventDraft(type: EventType.member, content: content)
        case .kick(let userID, let reason):
            draft = RoomSession.removal("kick", userID, reason)
        case .ban(let userID, let reason):
            draft = RoomSession.removal("ban", userID, reason)
        case .join(let displayName):
            var content = JSONObject([("membership", "join"), ("public_key", .string(identity.key.publicKey.base64)),
                                      ("device_id", .string(identity.clientID))])
            if let displayName { content["displayname"] = .string(displayName) }
            draft = EventDraft(type: EventType.member, content: content)
        case .leave:
            draft = EventDraft(type: EventType.member, content: JSONObject([("membership", "leave")]))
        case .setName(let name):
            draft = EventDraft(type: EventType.name, content: JSONObject([("name", .string(name))]))
        case .setTopic(let topic):
            draft = EventDraft(type: EventType.topic, content: JSONObject([("topic", .string(topic))]))
        case .typing(let on):
            draft = EventDraft(type: EventType.typing, content: JSONObject([("typing", .bool(on))]))
        }
        let earliest = try await check(draft, unsynced: unsynced, includeMessages: true)
        return try await journal(draft, notBefore: earliest)
    }

    private static func removal(_ membership: String, _ userID: String, _ reason: String?) -> EventDraft {
        var content = JSONObject([("membership", .string(membership)), ("user_id", .string(userID))])
        if let reason { content["reason"] = .string(reason) }
        return EventDraft(type: EventType.member, content: content)
    }

    /// The id of the event a reference names, among the verified events,
    /// this device's pending ones and `unsynced`.
    public func resolve(_ reference: String, unsynced: [Event]) async throws(EngineError) -> String {
        let verification = await sync.verification
        let own = await ownUnsynced(verification, unsynced: unsynced).map(\.eventID)
        let wanted = reference.trimmingWhitespace
        if verification.state.contains(eventID: wanted) || own.contains(wanted) { return wanted }
        return try EventReference.resolve(reference, among: verification.accepted.map(\.event.eventID) + own, roomID: roomID)
    }

    /// Throws when the room's rules would refuse `draft` after what is
    /// verified plus this device's events not yet synced.
    ///
    /// Returns the earliest timestamp the event may carry (see
    /// ``earliestTimestamp(for:verification:own:)``), for ``Outbox/send(type:content:parentEventID:notBefore:)``.
    @discardableResult
    func check(_ draft: EventDraft, unsynced: [Event], includeMessages: Bool) async throws(EngineError) -> Int64 {
        var verification = await sync.verification
        if verification.metadata == nil {
            // A room created here whose metadata waits to be uploaded: it goes out
            // before any event, and its creator may write meanwhile.
            if hasPendingMetadataFile(stateFolder: stateFolder) { return 0 }
            // Not synced yet (a session opened a moment ago): read the room once
            // rather than act unchecked.
            let reached = (try? await sync.sync()) != nil
            if !reached { _ = await sync.loadCache() }
            verification = await sync.verification
            // Offline with nothing cached, in a room this device has written to
            // before: journal it, and readers judge it once it is uploaded.
            if verification.metadata == nil, !reached, await outbox.journaledCount > 0 { return 0 }
        }
        guard let metadata = verification.metadata else {
            // Otherwise an event would land in a folder no reader can trust: a typo,
            // a room of another store, a room whose metadata was never read.
            throw EngineError(.notFound, "Room \(roomID) has no valid metadata.json that this device could read in \(store.locationDescription) (the room does not exist there, its metadata is invalid, or the store could not be reached and nothing is cached). Nothing was sent.")
        }
        // Without a creator key the room declares no keys: no reader could verify
        // what this device signs (it would be unknown_key everywhere), and joins
        // there admit no key. Reading such a room is supported, writing is not.
        guard !metadata.isLegacy else {
            throw EngineError(.forbidden, "Room \(roomID) was made by another client without a creator key (a legacy room); bucketchat reads it but does not write to it. Nothing was sent.")
        }
        let own = await ownUnsynced(verification, unsynced: unsynced, includeMessages: includeMessages)
        let earliest = earliestTimestamp(for: draft, verification: verification, own: own)
        let last = max(own.last?.timestampMs ?? 0, verification.accepted.last?.event.timestampMs ?? 0) + 1
        let preview: Event
        do {
            preview = try Event.signed(roomID: roomID, timestampMs: max(last, now()),
                                       senderID: identity.senderID, type: draft.type, content: draft.content,
                                       parentEventID: draft.parentEventID, prevEventHash: nil, key: identity.key)
        } catch {
            throw EngineError(.invalidEvent, "Room \(roomID): \(error.message)", cause: error)
        }
        if case .rejected(_, let why)? = verification.preview(own + [preview], signedBy: identity.key.publicKey).last {
            throw EngineError(.forbidden, "Room \(roomID) does not allow this: \(why). Nothing was sent.")
        }
        return earliest
    }

    /// The earliest timestamp that keeps `draft` after what it depends on: the
    /// events it names (thread parent, reaction, edit or redaction target) and,
    /// for a membership change, everything this device has seen (a join must
    /// sort after its invite). Readers order by timestamp and refuse an event
    /// that comes before what it needs, so a device whose clock is behind would
    /// otherwise send a join or reply that its own check passed and every reader refuses.
    /// Only these events are lifted: one member's clock running ahead does not
    /// drag every device's messages into the future.
    func earliestTimestamp(for draft: EventDraft, verification: RoomVerification, own: [Event]) -> Int64 {
        var named: [String] = draft.parentEventID.map { [$0] } ?? []
        for field in ["relates_to", "replaces", "redacts"] {
            if let id = draft.content[field]?.stringValue { named.append(id) }
        }
        var earliest: Int64 = 0
        for id in named {
            if let ts = verification.state.timestampMs(of: id) ?? own.last(where: { $0.eventID == id })?.timestampMs {
                earliest = max(earliest, ts + 1)
            }
        }
        if draft.type == EventType.member {
            earliest = max(earliest, (verification.accepted.last?.event.timestampMs ?? 0) + 1)
        }
        return earliest
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
        let join = try await session.outbox.send(type: EventType.member, content: content)
        // Remembered until the view shows it: once uploaded the outbox forgets it,
        // and an action checked before the next sync must still count the join.
        await session.noteSent([join])
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
