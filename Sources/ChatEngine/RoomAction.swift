import ChatProtocol

/// An action on a room other than a plain message, as a mount's `ctl` and
/// `typing` files ask for it. References are REFs, ids or unique prefixes.
public enum RoomAction: Sendable, Equatable {
    case react(reference: String, reaction: String)
    case edit(reference: String, body: String)
    case redact(reference: String, reason: String?)
    case reply(reference: String, body: String)
    case invite(userID: String, key: PublicKey?)
    case kick(userID: String, reason: String?)
    case ban(userID: String, reason: String?)
    case join(displayName: String?)
    case leave
    case setName(String)
    case setTopic(String)
    case typing(Bool)
}
