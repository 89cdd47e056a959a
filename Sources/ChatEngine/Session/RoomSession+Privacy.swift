import ChatProtocol
import Foundation

/// Private rooms (docs/private-rooms.md): which epoch this device encrypts
/// under, and when it starts a new one.
///
/// The rule is one comparison: the epoch's key must be sealed to exactly the
/// device keys trusted for the members joined now. Someone joined or added a
/// device → a new epoch they can read; someone left, was kicked or banned, or
/// a key was revoked → a new epoch they cannot. Also a new epoch after
/// ``EpochPolicy`` says the current one is used up, and when this device does
/// not hold the current key (it joined after the epoch began).
extension RoomSession {
    /// The seal for an event of `type`: nil for events sent in the clear
    /// (a room that is not private, or a type private rooms do not encrypt).
    /// Journals a new key event first when the rule above asks for one.
    func sealing(for type: String, unsynced: [Event]) async throws(EngineError) -> EventSeal? {
        guard EncryptedContent.sealedTypes.contains(type) else { return nil }
        let verification = await sync.verification
        let own = await ownUnsynced(verification, unsynced: unsynced, includeMessages: false)
        let me = identity.key.publicKey
        let nowMs = now()
        guard verification.metadata != nil else {
            // Not read from the store yet: a room created here whose metadata
            // waits to go out (its creator is its only member), or unknown.
            let ownEpochs = own.compactMap { event -> (event: Event, key: RoomKeyContent)? in
                guard case .roomKey(let key) = event.content, key.epoch == nil else { return nil }
                return (event, key)
            }
            if let pending = pendingMetadata(), !pending.isPrivate { return nil }
            guard pendingMetadata() != nil || !ownEpochs.isEmpty else {
                throw EngineError(.notFound, "Room \(roomID): this device has not read the room's metadata.json yet, so it cannot tell whether the room is private, and will not risk sending in the clear. Nothing was sent; sync when \(store.locationDescription) can be reached.")
            }
            if let latest = ownEpochs.last, let box = latest.key.sealed[me], let key = RoomKey.open(sealed: box, with: identity.key),
               !epochPolicy.isUsedUp(startedAtMs: latest.event.timestampMs, events: own.filter { Self.isSealed($0, under: latest.event.eventID) }.count, nowMs: nowMs) {
                return EventSeal(epoch: latest.event.eventID, key: key)
            }
            return try await startEpoch(for: [me], reason: "created")
        }
        guard verification.metadata?.isPrivate == true else { return nil }
        // The room as this device will have changed it: its own kicks, joins
        // and key events count before the store has them.
        let state = verification.previewState(own, signedBy: me)
        var wanted = Set(state.members.values.filter { $0.membership == .join }.flatMap(\.keys))
        wanted.insert(me)
        if let current = state.epochs.current, let epoch = state.epochs.byID[current], let key = state.epochs.key(of: current),
           epoch.recipients == wanted, !epochPolicy.isUsedUp(startedAtMs: epoch.startedAtMs, events: epoch.events, nowMs: nowMs) {
            return EventSeal(epoch: current, key: key)
        }
        return try await startEpoch(for: wanted, reason: state.epochs.current == nil ? "created" : "rotation")
    }

    /// Whether the room is private, as far as this device knows: its
    /// metadata says so, or this device started an epoch there.
    public func isPrivateRoom() async -> Bool {
        let verification = await sync.verification
        if let metadata = verification.metadata ?? pendingMetadata() { return metadata.isPrivate }
        return await ownUnsynced(verification, unsynced: [], includeMessages: false).contains { $0.type == EventType.roomKey }
    }

    /// Journals a key event starting a new epoch whose fresh key is sealed to `devices`.
    @discardableResult
    func startEpoch(for devices: Set<PublicKey>, reason: String) async throws(EngineError) -> EventSeal {
        let key: RoomKey
        var sealed: [PublicKey: [UInt8]] = [:]
        do {
            key = try RoomKey.generate()
            for device in devices { sealed[device] = try key.seal(to: device) }
        } catch {
            throw EngineError(.invalidEvent, "Room \(roomID): could not make a new room key: \(error.message)", cause: error)
        }
        let draft = EventDraft(type: EventType.roomKey, content: .roomKey(RoomKeyContent(epoch: nil, sealed: sealed, reason: reason)))
        let event = try await journal(draft, notBefore: 0)
        return EventSeal(epoch: event.eventID, key: key)
    }

    private static func isSealed(_ event: Event, under epoch: String) -> Bool {
        guard event.type == EventType.encrypted, case .encrypted(let sealed) = event.content else { return false }
        return sealed.epoch == epoch
    }

    /// The metadata of a room created here that waits in the state folder.
    private func pendingMetadata() -> RoomMetadata? {
        let path = RoomSession.pendingMetadataFolder(stateFolder: stateFolder) + "/" + roomID + ".json"
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? RoomMetadata(bytes: Array(data))
    }
}
