import ChatProtocol

/// One item of a room's ordered stream of verified updates.
public enum RoomUpdate: Sendable {
    /// An accepted event. `late` is true when it sorts before an event already
    /// delivered: it was uploaded late (an offline device) and belongs earlier
    /// in the timeline than where it is shown.
    case event(VerifiedEvent, late: Bool)
    /// A line that verification refused.
    case rejected(Rejection)
    /// An integrity alarm: a gap, a fork, conflicting duplicates, bad metadata.
    case alarm(Alarm)
    /// Accepted events changed the room's state (members, name, edits, ...).
    case stateChanged
}
