extension RoomVerification {
    /// What the room's rules would decide if these events came next, in this
    /// order, after everything verified so far: a writer checks its action
    /// before it signs anything into its chain.
    ///
    /// The events are taken as signed by `key` (the writer's own key, which
    /// just signed them), so no signature is checked.
    public func preview(_ events: [Event], signedBy key: PublicKey) -> [RoomStateResolver.Verdict] {
        var copy = resolver
        return events.enumerated().map { index, event in
            copy.apply(event, signer: key, remember: index < events.count - 1) { $0 == key }
        }
    }
}

extension RoomVerification {
    /// The room's state if these events, signed by `key`, came next: a
    /// writer's view of the room with its own unsynced events applied.
    public func previewState(_ events: [Event], signedBy key: PublicKey) -> RoomState {
        guard !events.isEmpty else { return state }
        var copy = resolver
        for event in events { _ = copy.apply(event, signer: key) { $0 == key } }
        return copy.state
    }
}
