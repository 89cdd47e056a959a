import ChatProtocol

extension Outbox {
    /// Events journaled but not yet confirmed in the store, oldest first:
    /// the sender's view of the room includes them before anyone else's does.
    public var pendingEvents: [Event] { pending }
}
