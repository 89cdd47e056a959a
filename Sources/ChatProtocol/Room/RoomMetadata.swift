/// A room's `metadata.json` (PROTOCOL.md §5), written once by the creator.
public struct RoomMetadata: Sendable {
    public enum JoinRule: String, Sendable {
        case invite, `public`
    }

    public let roomID: String
    public let name: String
    public let description: String
    public let createdAt: String
    public let version: String
    public let `protocol`: String
    /// The creator's sender id; nil only in a legacy room whose metadata names none
    /// (the reference client writes neither `creator` nor `creator_key`).
    public let creator: String?
    /// The creator's key; nil in a legacy room made by the reference client.
    public let creatorKey: PublicKey?
    public let joinRule: JoinRule
    /// Admin sender ids; the creator, when named, is always one. Empty in a
    /// legacy room that names neither (docs/protocol-decisions.md).
    public let admins: [String]
    public let signature: String?
    /// The encryption of a private room's content (``RoomKeyContent/algorithm``), nil in a room that is not private.
    public let encryption: String?
    /// The object as read.
    public let json: JSONObject

    /// Whether the room encrypts its content (docs/private-rooms.md).
    public var isPrivate: Bool { encryption != nil }

    /// A legacy room has no `creator_key`: its events cannot be verified from the bucket alone.
    public var isLegacy: Bool { creatorKey == nil }

    /// Parses metadata bytes, checking the schema (not the signature: see ``verifySignature()``).
    public init(bytes: [UInt8]) throws(ProtocolError) {
        let value: JSONValue
        do {
            value = try JSONParser(maxBytes: 1 << 20).parse(bytes)
        } catch {
            throw ProtocolError(error.kind == .malformed ? .malformedJSON : .nonCanonical, "metadata.json: \(error)")
        }
        guard case .object(let object) = value else { throw ProtocolError(.schema, "metadata.json is not a JSON object") }
        let fields = ContentFields(object: object, type: "metadata.json")
        roomID = try fields.requiredString("room_id")
        name = try fields.optionalString("name") ?? ""
        description = try fields.optionalString("description") ?? ""
        createdAt = try fields.optionalString("created_at") ?? ""
        version = try fields.optionalString("version") ?? ""
        `protocol` = try fields.optionalString("protocol") ?? ""
        if let keyText = try fields.optionalString("creator_key") {
            guard let key = PublicKey(base64: keyText) else {
                throw ProtocolError(.schema, "metadata.json: creator_key is not base64 of 32 bytes")
            }
            creatorKey = key
            // A key without the sender it belongs to cannot root the room's trust.
            creator = try fields.requiredString("creator")
        } else {
            // A legacy room (no creator_key): the reference client names no creator.
            creatorKey = nil
            creator = try fields.optionalString("creator")
        }
        let rule = try fields.optionalString("join_rule") ?? "invite"
        guard let joinRule = JoinRule(rawValue: rule) else {
            throw ProtocolError(.schema, "metadata.json: join_rule must be \"invite\" or \"public\", not \"\(rule)\"")
        }
        self.joinRule = joinRule
        var admins: [String] = []
        if let list = object["admins"], !list.isNull {
            guard case .array(let items) = list else { throw ProtocolError(.schema, "metadata.json: admins must be a list") }
            for item in items {
                guard let id = item.stringValue else { throw ProtocolError(.schema, "metadata.json: admins must hold sender ids") }
                admins.append(id)
            }
        }
        if let creator, !admins.contains(creator) { admins.insert(creator, at: 0) }
        self.admins = admins
        signature = try fields.optionalString("signature")
        let encryption = try fields.optionalString("encryption")
        if let encryption, encryption != RoomKeyContent.algorithm {
            throw ProtocolError(.schema, "metadata.json: the room is encrypted with \"\(encryption)\", which this version cannot read (it knows \"\(RoomKeyContent.algorithm)\")")
        }
        self.encryption = encryption
        json = object
    }

    /// Checks what a non-legacy room's metadata must satisfy: the version and
    /// protocol, and the creator key's signature over `canonical(metadata)`.
    /// Returns a description of the first problem, or nil when it holds.
    public func problem() -> String? {
        guard let creatorKey else { return nil }
        guard version == "1.0" else { return "metadata.json: version is \"\(version)\", expected \"1.0\"" }
        guard `protocol` == "bucket-chat-v1" else { return "metadata.json: protocol is \"\(`protocol`)\", expected \"bucket-chat-v1\"" }
        guard let signature else { return "metadata.json: no signature" }
        guard let raw = Base64.decode(signature), raw.count == 64 else { return "metadata.json: signature is not base64 of 64 bytes" }
        guard creatorKey.verify(signature: raw, of: CanonicalJSON.encodeUnsigned(json)) else {
            return "metadata.json: the creator key's signature does not verify (the file was altered or forged)"
        }
        return nil
    }

    /// Creates and signs the metadata of a new room.
    public static func signed(
        roomID: String, name: String, description: String = "", createdAt: String,
        creator: String, key: SigningKey, joinRule: JoinRule = .invite, admins: [String] = [], isPrivate: Bool = false
    ) throws(ProtocolError) -> RoomMetadata {
        var adminList = admins
        if !adminList.contains(creator) { adminList.insert(creator, at: 0) }
        var object = JSONObject([
            ("room_id", .string(roomID)), ("name", .string(name)), ("description", .string(description)),
            ("created_at", .string(createdAt)), ("version", "1.0"), ("protocol", "bucket-chat-v1"),
            ("creator", .string(creator)), ("creator_key", .string(key.publicKey.base64)),
            ("join_rule", .string(joinRule.rawValue)), ("admins", .array(adminList.map { .string($0) })),
        ])
        if isPrivate { object["encryption"] = .string(RoomKeyContent.algorithm) }
        object["signature"] = .string(Base64.encode(key.sign(CanonicalJSON.encodeUnsigned(object))))
        return try RoomMetadata(bytes: CanonicalJSON.encode(.object(object)))
    }

    /// The bytes to store: canonical JSON and a newline.
    public var bytes: [UInt8] { CanonicalJSON.encode(.object(json)) + [0x0A] }
}
