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
