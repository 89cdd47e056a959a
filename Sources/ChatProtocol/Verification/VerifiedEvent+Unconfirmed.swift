extension VerifiedEvent {
    /// One of this device's own events that is journaled but not yet read back
    /// from the store, so a view can show it at once. It has no object key or
    /// line yet, and `hash` is empty: nothing that checks chains may use it.
    public init(unconfirmed event: Event, signer: PublicKey) {
        self.init(event: event, hash: "", objectKey: "", line: 0, signer: signer, marks: [])
    }
}
