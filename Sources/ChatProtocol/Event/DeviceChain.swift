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
        let timestamp = clock.next(now: nowMs)
        let signed = try Event.signedWithHash(roomID: roomID, eventID: nil, timestampMs: timestamp, senderID: senderID, type: type,
                                              content: content, parentEventID: parentEventID, prevEventHash: prevEventHash, key: key)
        prevEventHash = signed.hash
        return signed.event
    }
}
