import ChatProtocol

/// Something a member does in a room: what ``RoomSession/act(_:unsynced:)``
/// checks against the room's rules, signs and journals.
///
/// The command line and the mount's `ctl`, `send` and `typing` files all end
/// here. References (`replyTo`, `reference`) are REFs, event ids or unique
/// prefixes; the session resolves them.
public enum RoomAction: Sendable, Equatable {
    /// A message; with `replyTo`, a reply in that event's thread.
    case send(MessageContent, replyTo: String? = nil)
    case react(reference: String, reaction: String)
    /// Replaces a message's body (the edit is an `m.text`).
    case edit(reference: String, body: String)
    case redact(reference: String, reason: String?)
    /// Invites a user, optionally pinning the key their join must use.
    case invite(userID: String, key: PublicKey?, displayName: String? = nil)
    case kick(userID: String, reason: String?)
    case ban(userID: String, reason: String?)
    /// Joins with this device's key.
    case join(displayName: String?)
    /// Trusts another key of this sender (a new device), revoking `revoking` (rotation).
    case addKey(PublicKey, deviceID: String?, revoking: [PublicKey])
    case leave
    case setName(String)
    case setTopic(String)
    case typing(Bool)
    /// Shares the file at `path` (an `m.file` message): its bytes are copied
    /// into the room's ``BlobArea`` before the event is journaled. `name`
    /// defaults to the path's last component, `mimetype` to a guess from its
    /// extension, the body to the caption or the name.
    case shareFile(path: String, name: String? = nil, mimetype: String? = nil, caption: String? = nil, replyTo: String? = nil)
}
