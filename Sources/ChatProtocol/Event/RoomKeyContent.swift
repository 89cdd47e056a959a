/// `m.room.key` content: a private room's epoch key sealed to member devices
/// (docs/private-rooms.md).
///
/// With `epoch` null the event starts a new epoch, whose id is this event's
/// `event_id`; with `epoch` naming an earlier key event it hands that epoch's
/// key to more devices (a member admitting someone who joined).
public struct RoomKeyContent: Sendable, Equatable {
    /// The only algorithm of this profile.
    public static let algorithm = "x25519-xchacha20poly1305-v1"

    /// The epoch whose key this shares; nil when the event starts a new epoch.
    public let epoch: String?
    /// The key sealed to each recipient device, by the device's signing key.
    public let sealed: [PublicKey: [UInt8]]
    /// Why the epoch changed ("created", "member_left", "scheduled", …): for people, not for rules.
    public let reason: String?

    public init(epoch: String?, sealed: [PublicKey: [UInt8]], reason: String? = nil) {
        self.epoch = epoch
        self.sealed = sealed
        self.reason = reason
    }

    init(_ fields: ContentFields) throws(ProtocolError) {
        let algorithm = try fields.requiredString("algorithm")
        guard algorithm == Self.algorithm else {
            throw ProtocolError(.schema, "\(fields.type): unknown algorithm \"\(algorithm)\"")
        }
        epoch = try fields.optionalString("epoch")
        reason = try fields.optionalString("reason")
        guard case .object(let keys)? = fields.object["keys"] else {
            throw ProtocolError(.schema, "\(fields.type): keys must be an object of device key to sealed room key")
        }
        var sealed: [PublicKey: [UInt8]] = [:]
        for member in keys.members {
            guard let device = PublicKey(base64: member.key) else {
                throw ProtocolError(.schema, "\(fields.type): \"\(member.key)\" in keys is not a device key")
            }
            guard let text = member.value.stringValue, let box = Base64.decode(text), box.count == 80 else {
                throw ProtocolError(.schema, "\(fields.type): the sealed key for \(member.key) is not base64 of 80 bytes")
            }
            sealed[device] = box
        }
        guard !sealed.isEmpty else { throw ProtocolError(.schema, "\(fields.type): keys names no device") }
        self.sealed = sealed
    }

    /// The content as JSON: the inverse of the decoder.
    public var json: JSONObject {
        var object = JSONObject([
            ("algorithm", .string(Self.algorithm)),
            ("epoch", epoch.map { .string($0) } ?? .null),
            ("keys", .object(JSONObject(sealed.map { ($0.key.base64, .string(Base64.encode($0.value))) }))),
        ])
        object["reason"] = reason.map { .string($0) }
        return object
    }
}
