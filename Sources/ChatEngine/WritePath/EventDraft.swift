import ChatProtocol

/// An event not yet signed: what ``Outbox/sendAll(_:notBefore:)`` turns into one
/// signed event of this device's chain.
public struct EventDraft: Sendable {
    public let type: String
    public let content: JSONObject
    public let parentEventID: String?

    public init(type: String, content: JSONObject, parentEventID: String? = nil) {
        self.type = type
        self.content = content
        self.parentEventID = parentEventID
    }

    /// A draft of typed content, encoded as every reader decodes it.
    public init(type: String, content: EventContent, parentEventID: String? = nil) {
        self.init(type: type, content: content.json, parentEventID: parentEventID)
    }
}
