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
    public mutating func sign(type: String, content: JSONObject, parentEventID: String? = nil, nowMs: Int64,
                              sealing: EventSeal? = nil) throws(ProtocolError) -> Event {
        try prepare(type: type, content: content, parentEventID: parentEventID, nowMs: nowMs, sealing: sealing).signed(with: key)
    }

    /// Fixes the next event's place in the chain without signing it: the
    /// chain moves on at once, and ``UnsignedEvent/signed(with:)`` can run
    /// later, on any core. Nothing changes when the content is refused.
    ///
    /// With `sealing`, an event of a type private rooms encrypt
    /// (``EncryptedContent/sealedTypes``) goes out as `m.room.encrypted`,
    /// its content checked, then encrypted for its own event id.
    public mutating func prepare(type: String, content: JSONObject, parentEventID: String? = nil,
                                 nowMs: Int64, sealing: EventSeal? = nil) throws(ProtocolError) -> UnsignedEvent {
        var nextClock = clock
        let timestampMs = nextClock.next(now: nowMs)
        var (type, content, eventID) = (type, content, String?.none)
        if let sealing, EncryptedContent.sealedTypes.contains(type) {
            _ = try EventContent(type: type, content: content)
            let id = EventID.make(roomID: roomID, timestampMs: timestampMs)
            content = try EncryptedContent.seal(type: type, content: content, epoch: sealing.epoch, key: sealing.key,
                                                roomID: roomID, senderID: senderID, eventID: id).json
            (type, eventID) = (EventType.encrypted, id)
        }
        let event = try UnsignedEvent(roomID: roomID, eventID: eventID, timestampMs: timestampMs, senderID: senderID,
                                      type: type, content: content, parentEventID: parentEventID, prevEventHash: prevEventHash)
        clock = nextClock
        prevEventHash = event.hash
        return event
    }
}
