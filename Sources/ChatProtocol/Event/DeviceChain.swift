/// The writer's side of one device key's hash chain in one room.
///
/// Signs events with strictly increasing timestamps and links each to the
/// previous one (PROTOCOL.md §2, §3). Persist ``prevEventHash`` and ``clock``
/// to continue the chain after a restart.
public struct DeviceChain: Sendable {
    public let roomID: String
    public let senderID: String
    public let key: SigningKey
    public private(set) var prevEventHash: String?
    public private(set) var clock: DeviceClock

    public init(roomID: String, senderID: String, key: SigningKey, prevEventHash: String? = nil, clock: DeviceClock = DeviceClock()) {
        self.roomID = roomID
        self.senderID = senderID
        self.key = key
        self.prevEventHash = prevEventHash
        self.clock = clock
    }

    /// Signs the next event of this chain.
    public mutating func sign(type: String, content: JSONObject, parentEventID: String? = nil, nowMs: Int64) throws(ProtocolError) -> Event {
        try prepare(type: type, content: content, parentEventID: parentEventID, nowMs: nowMs).signed(with: key)
    }

    /// Fixes the next event's place in the chain without signing it: the
    /// chain moves on at once, and ``UnsignedEvent/signed(with:)`` can run
    /// later, on any core. Nothing changes when the content is refused.
    public mutating func prepare(type: String, content: JSONObject, parentEventID: String? = nil,
                                 nowMs: Int64) throws(ProtocolError) -> UnsignedEvent {
        var nextClock = clock
        let event = try UnsignedEvent(roomID: roomID, eventID: nil, timestampMs: nextClock.next(now: nowMs), senderID: senderID,
                                      type: type, content: content, parentEventID: parentEventID, prevEventHash: prevEventHash)
        clock = nextClock
        prevEventHash = event.hash
        return event
    }
}
