extension RoomLedger {
    /// Replaces the keys the user trusts for senders who declare none (a
    /// legacy room's, `bucketchat keys trust`): lines no key verified are
    /// checked again with the new keys, and the next ``conclude()`` resolves
    /// the room anew. Returns whether anything changed.
    ///
    /// Keys are trusted one at a time; a reader that took the room in after
    /// the first must still take the second, without reading the room again.
    @discardableResult
    public mutating func trust(_ keys: [String: [PublicKey]]) -> Bool {
        guard keys != verifier.suppliedKeys else { return false }
        let senders = Set(keys.keys).union(verifier.suppliedKeys.keys).filter { keys[$0] != verifier.suppliedKeys[$0] }
        verifier.suppliedKeys = keys
        let parser = LogFileParser(roomID: roomID, nowMs: verifier.nowMs, legacy: parsedAsLegacy)
        wake(parser)
        var alarms: [Alarm] = []
        let metadata = verifier.readMetadata(metadataObject, roomID: roomID, alarms: &alarms)
        candidates = verifier.candidateKeys(entries.values.map { $0.lines.map(\.line) }, metadata: metadata)
        // A key taken away no longer verifies what it signed: those lines are
        // checked again with what is trusted now, like lines nothing verified.
        for (key, entry) in entries {
            var entry = entry
            var touched = false
            entry.lines = entry.lines.map { checked in
                let sender = checked.line.event.senderID
                guard senders.contains(sender), let signer = checked.signer, candidates[sender]?.contains(signer) != true else { return checked }
                touched = true
                return RoomVerifier.CheckedLine(line: checked.line, hash: checked.hash, signer: nil)
            }
            if touched { entries[key] = entry }
            if entry.lines.contains(where: { $0.signer == nil }) { unverifiedEntries.insert(key) }
        }
        _ = recheckUnverified(changedSenders: senders)
        pending.rechecked = true
        return true
    }
}
