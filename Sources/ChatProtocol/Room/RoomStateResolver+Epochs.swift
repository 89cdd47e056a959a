/// A private room's key and encrypted events (docs/private-rooms.md).
///
/// Both come from a joined sender signing with a trusted key, checked before
/// these run. A key event starts an epoch or shares one with more devices; an
/// encrypted event is opened when this reader holds its epoch's key, and what
/// it holds is then held to the rules as if it had been sent in the clear.
extension RoomStateResolver {
    mutating func applyRoomKey(_ event: Event, _ key: RoomKeyContent) -> Verdict? {
        guard metadata?.isPrivate == true else {
            return .rejected(.unauthorized, "m.room.key in a room that is not private (its metadata.json sets no encryption)")
        }
        let epochID: String
        if let shared = key.epoch {
            guard state.epochs.byID[shared] != nil else {
                return .rejected(.unauthorized, "shares the key of epoch \(shared), which no earlier key event started")
            }
            epochID = shared
            state.epochs.byID[shared]?.recipients.formUnion(key.sealed.keys)
        } else {
            epochID = event.eventID
            state.epochs.byID[epochID] = RoomEpochs.Epoch(id: epochID, startedBy: event.senderID, startedAtMs: event.timestampMs,
                                                          recipients: Set(key.sealed.keys), events: 0)
            state.epochs.current = epochID
            state.epochs.removalSinceCurrent = false
        }
        guard state.epochs.keys[epochID] == nil else { return nil }
        for reader in readerKeys {
            guard let box = key.sealed[reader.publicKey] else { continue }
            if let opened = RoomKey.open(sealed: box, with: reader) {
                state.epochs.keys[epochID] = opened
                state.epochs.damaged[event.eventID] = nil
                break
            }
            state.epochs.damaged[event.eventID] = "the room key of epoch \(epochID) sealed to device key \(reader.publicKey) does not open: the sealed box was damaged or made for another key"
        }
        return nil
    }

    mutating func applyEncrypted(_ event: Event, _ encrypted: EncryptedContent) -> Verdict? {
        guard metadata?.isPrivate == true else {
            return .rejected(.unauthorized, "m.room.encrypted in a room that is not private (its metadata.json sets no encryption)")
        }
        guard state.epochs.byID[encrypted.epoch] != nil else {
            return .rejected(.unauthorized, "encrypted under epoch \(encrypted.epoch), which no earlier key event started")
        }
        state.epochs.byID[encrypted.epoch]?.events += 1
        guard let key = state.epochs.keys[encrypted.epoch] else { return nil }
        let inner: (type: String, content: EventContent)
        do {
            inner = try encrypted.open(key: key, roomID: event.roomID, senderID: event.senderID, eventID: event.eventID)
        } catch {
            state.epochs.damaged[event.eventID] = "\(event.eventID) from \(event.senderID): \(error.message)"
            return nil
        }
        if let refusal = applyContent(event, inner.content) { return refusal }
        state.epochs.opened[event.eventID] = RoomEpochs.Opened(type: inner.type, content: inner.content, epoch: encrypted.epoch)
        return nil
    }

    /// Someone left, was removed, or revoked a key: the current epoch's key
    /// is known to a device that must not read what comes next.
    mutating func noteRemoval() {
        if metadata?.isPrivate == true, state.epochs.current != nil { state.epochs.removalSinceCurrent = true }
    }
}
