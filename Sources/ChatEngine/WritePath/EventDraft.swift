import ChatProtocol

/// An event not yet signed: what ``Outbox/sendAll(_:notBefore:)`` turns into one
/// signed event of this device's chain.
public struct EventDraft: Sendable {
    public let type: String
    public let content: JSONObject
    public let parentEventID: String?
    /// In a private room, the epoch and key the event is encrypted under
    /// when it is signed (its event id is part of what the cipher binds).
    public var sealing: EventSeal?

    public init(type: String, content: JSONObject, parentEventID: String? = nil, sealing: EventSeal? = nil) {
        self.type = type
        self.content = content
        self.parentEventID = parentEventID
        self.sealing = sealing
    }

    /// A draft of typed content, encoded as every reader decodes it.
    public init(type: String, content: EventContent, parentEventID: String? = nil) {
        self.init(type: type, content: content.json, parentEventID: parentEventID)
    }
}
