/// `m.room.member` content (PROTOCOL.md §6).
public struct MemberContent: Sendable, Equatable {
    public enum Membership: String, Sendable {
        case join, invite, leave, kick, ban
    }

    public let membership: Membership
    /// The key a join trusts, or the key an invite pins.
    public let publicKey: PublicKey?
    public let displayName: String?
    public let deviceID: String?
    /// The target of invite, kick and ban.
    public let userID: String?
    public let reason: String?
    /// Keys a join of an extra device revokes.
    public let revoke: [PublicKey]

    public init(membership: Membership, publicKey: PublicKey? = nil, displayName: String? = nil, deviceID: String? = nil,
                userID: String? = nil, reason: String? = nil, revoke: [PublicKey] = []) {
        self.membership = membership
        self.publicKey = publicKey
        self.displayName = displayName
        self.deviceID = deviceID
        self.userID = userID
        self.reason = reason
        self.revoke = revoke
    }

    init(_ fields: ContentFields) throws(ProtocolError) {
        let raw = try fields.requiredString("membership")
        guard let membership = Membership(rawValue: raw) else {
            throw ProtocolError(.schema, "m.room.member: unknown membership \"\(raw)\"")
        }
        self.membership = membership
        if let text = try fields.optionalString("public_key") {
            guard let key = PublicKey(base64: text) else {
                throw ProtocolError(.schema, "m.room.member: public_key is not base64 of 32 bytes")
            }
            publicKey = key
        } else {
            publicKey = nil
        }
        displayName = try fields.optionalString("displayname")
        deviceID = try fields.optionalString("device_id")
        reason = try fields.optionalString("reason")
        switch membership {
        case .invite, .kick, .ban:
            let target = try fields.requiredString("user_id")
            try SenderID.validate(target)
            userID = target
        case .join, .leave:
            userID = try fields.optionalString("user_id")
        }
        var revoked: [PublicKey] = []
        if let list = fields.object["revoke"], !list.isNull {
            guard case .array(let items) = list else {
                throw ProtocolError(.schema, "m.room.member: revoke must be a list of keys")
            }
            for item in items {
                guard let text = item.stringValue, let key = PublicKey(base64: text) else {
                    throw ProtocolError(.schema, "m.room.member: revoke holds something that is not a key")
                }
                revoked.append(key)
            }
        }
        revoke = revoked
    }

    /// The content as JSON: the inverse of the decoder. Absent fields are left
    /// out, and so is `revoke` when it names no key (the decoder reads a
    /// missing, null or empty `revoke` alike).
    public var json: JSONObject {
        var object = JSONObject([("membership", .string(membership.rawValue))])
        object["public_key"] = publicKey.map { .string($0.base64) }
        object["displayname"] = displayName.map { .string($0) }
        object["device_id"] = deviceID.map { .string($0) }
        object["user_id"] = userID.map { .string($0) }
        object["reason"] = reason.map { .string($0) }
        if !revoke.isEmpty { object["revoke"] = .array(revoke.map { .string($0.base64) }) }
        return object
    }
}
