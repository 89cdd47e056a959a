import ChatProtocol
import Foundation

extension RoomSession {
    /// Performs an action: resolves the events it names, checks it against
    /// the room's rules with this device's pending events and `unsynced` applied
    /// (see ``sendMessages(_:msgtype:replyTo:unsynced:)``), then signs and
    /// journals it. Returns its event once durable in the journal.
    @discardableResult
    public func act(_ action: RoomAction, unsynced: [Event] = []) async throws(EngineError) -> Event {
        let draft = try await draft(action, unsynced: unsynced)
        let earliest: Int64
        do {
            earliest = try await check(draft, unsynced: unsynced, includeMessages: true)
        } catch {
            await discardBlob(of: draft)
            throw error
        }
        return try await journal(draft, notBefore: earliest, unsynced: unsynced)
    }

    /// The event an action makes, its references resolved to event ids and
    /// its content typed (one builder for every face, and for the creator's join).
    func draft(_ action: RoomAction, unsynced: [Event]) async throws(EngineError) -> EventDraft {
        func target(_ reference: String) async throws(EngineError) -> String {
            try await resolve(reference, unsynced: unsynced)
        }
        switch action {
        case .send(let message, let replyTo):
            // Said before any lookup: an empty body is wrong whatever it replies to.
            guard !message.body.isEmpty else { throw EngineError(.invalidEvent, "Room \(roomID): a message needs a non-empty body.") }
            var parent: String?
            if let replyTo { parent = try await target(replyTo) }
            return EventDraft(type: EventType.message, content: .message(message), parentEventID: parent)
        case .react(let reference, let reaction):
            return EventDraft(type: EventType.reaction, content: .reaction(relatesTo: try await target(reference), reaction: reaction))
        case .edit(let reference, let body):
            return EventDraft(type: EventType.edit, content: .edit(replaces: try await target(reference), newContent: MessageContent(body: body)))
        case .redact(let reference, let reason):
            return EventDraft(type: EventType.redaction, content: .redaction(redacts: try await target(reference), reason: reason))
        case .invite(let userID, let key, let displayName):
            return member(MemberContent(membership: .invite, publicKey: key, displayName: displayName, userID: userID))
        case .kick(let userID, let reason):
            return member(MemberContent(membership: .kick, userID: userID, reason: reason))
        case .ban(let userID, let reason):
            return member(MemberContent(membership: .ban, userID: userID, reason: reason))
        case .join(let displayName):
            return member(MemberContent(membership: .join, publicKey: identity.key.publicKey, displayName: displayName, deviceID: identity.clientID))
        case .addKey(let key, let deviceID, let revoked):
            return member(MemberContent(membership: .join, publicKey: key, deviceID: deviceID, revoke: revoked))
        case .leave:
            return member(MemberContent(membership: .leave))
        case .setName(let name):
            return EventDraft(type: EventType.name, content: .name(name))
        case .setTopic(let topic):
            return EventDraft(type: EventType.topic, content: .topic(topic))
        case .typing(let typing):
            return EventDraft(type: EventType.typing, content: .typing(typing))
        case .shareFile(let path, let name, let mimetype, let caption, let replyTo):
            let fileName = name ?? URL(fileURLWithPath: path).lastPathComponent
            let blob: StoredBlob
            var encryption: MessageContent.FileEncryption?
            if await isPrivateRoom() {
                let attributes = try? FileManager.default.attributesOfItem(atPath: path)
                guard attributes?[.type] as? FileAttributeType == .typeRegular else {
                    throw EngineError(.fileIO, "\(path) is not a regular file one can read; only files can be shared in room \(roomID). Nothing was sent.")
                }
                if let size = (attributes?[.size] as? NSNumber)?.int64Value, size > fileLimit {
                    throw BlobWriter.tooLarge(name: fileName, size: size, limit: fileLimit, roomID: roomID)
                }
                (blob, encryption) = try encryptedBlob(from: path, name: fileName)
            } else {
                blob = try outbox.blobs.importFile(path, name: fileName, roomID: roomID, limit: fileLimit)
            }
            do {
                return try await fileDraft(blob, name: fileName, mimetype: mimetype, caption: caption, replyTo: replyTo, unsynced: unsynced,
                                           encryption: encryption)
            } catch {
                await discardBlob(blob.sha256)
                throw error
            }
        }
    }

    private func member(_ content: MemberContent) -> EventDraft {
        EventDraft(type: EventType.member, content: .member(content))
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
}

/// The command line's actions, one call each (sugar over ``RoomSession/act(_:unsynced:)``).
extension RoomSession {
    /// Sends a message (`m.text` unless told otherwise).
    @discardableResult
    public func send(_ body: String, msgtype: String = "m.text", replyTo parent: String? = nil) async throws(EngineError) -> Event {
        try await act(.send(MessageContent(body: body, msgtype: msgtype), replyTo: parent))
    }

    @discardableResult
    public func react(to reference: String, with reaction: String) async throws(EngineError) -> Event {
        try await act(.react(reference: reference, reaction: reaction))
    }

    @discardableResult
    public func edit(_ reference: String, body: String) async throws(EngineError) -> Event {
        try await act(.edit(reference: reference, body: body))
    }

    @discardableResult
    public func redact(_ reference: String, reason: String? = nil) async throws(EngineError) -> Event {
        try await act(.redact(reference: reference, reason: reason))
    }

    @discardableResult
    public func invite(_ userID: String, key: PublicKey? = nil, displayName: String? = nil) async throws(EngineError) -> Event {
        try await act(.invite(userID: userID, key: key, displayName: displayName))
    }

    /// Joins with this device's key.
    @discardableResult
    public func join(displayName: String? = nil) async throws(EngineError) -> Event {
        try await act(.join(displayName: displayName))
    }

    @discardableResult
    public func leave() async throws(EngineError) -> Event {
        try await act(.leave)
    }

    /// Kicks (`ban: false`) or bans a member; admins only.
    @discardableResult
    public func remove(_ userID: String, ban: Bool, reason: String? = nil) async throws(EngineError) -> Event {
        try await act(ban ? .ban(userID: userID, reason: reason) : .kick(userID: userID, reason: reason))
    }

    @discardableResult
    public func setName(_ name: String) async throws(EngineError) -> Event {
        try await act(.setName(name))
    }

    @discardableResult
    public func setTopic(_ topic: String) async throws(EngineError) -> Event {
        try await act(.setTopic(topic))
    }

    /// Trusts another device key for this sender, optionally revoking keys (rotation).
    @discardableResult
    public func addKey(_ key: PublicKey, deviceID: String? = nil, revoking revoked: [PublicKey] = []) async throws(EngineError) -> Event {
        try await act(.addKey(key, deviceID: deviceID, revoking: revoked))
    }
}
