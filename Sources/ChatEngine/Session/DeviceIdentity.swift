import ChatProtocol

/// Who writes: a sender id, this device's client id and its signing key.
public struct DeviceIdentity: Sendable {
    public let senderID: String
    /// `[A-Za-z0-9_-]{1,64}`, one per device (e.g. `alice_3f9a2c`), so two devices never collide.
    public let clientID: String
    public let key: SigningKey

    public init(senderID: String, clientID: String, key: SigningKey) {
        self.senderID = senderID
        self.clientID = clientID
        self.key = key
    }
}
