import ChatProtocol

/// What a sync keeps outside the ledger: the room's creator key, pinned on
/// first sight, and its verified name, recorded in the cache.
extension RoomSync {
    /// Pins the creator key of the first valid metadata seen. Failing to
    /// write the pin only loses the protection for a later open, so it is not
    /// an error for the sync.
    func pinCreatorKey() {
        recordName()
        guard let creatorKeyPin, ledger.verifier.pinnedCreatorKey == nil,
              let key = ledger.verification.metadata?.creatorKey else { return }
        ledger.verifier.pinnedCreatorKey = key
        try? creatorKeyPin.write(key)
    }

    /// Keeps the room's verified name in the cache, so commands can find the
    /// room by the name its members see (``RoomDirectory``).
    private func recordName() {
        guard let cache else { return }
        let verification = ledger.verification
        guard let name = verification.state.name ?? verification.metadata?.name, !name.isEmpty, name != recordedName else { return }
        recordedName = name
        cache.recordName(name, roomID: roomID)
    }
}

extension RoomSync {
    /// Replaces the keys the user trusts for a legacy room's senders
    /// (``RoomLedger/trust(_:)``); the next sync delivers what they verify.
    /// Returns whether they changed.
    @discardableResult
    public func trust(_ keys: [String: [PublicKey]]) -> Bool {
        guard ledger.trust(keys) else { return false }
        ledger.conclude()
        snapshotStale = true
        deliverAfterTrust = true
        return true
    }
}
