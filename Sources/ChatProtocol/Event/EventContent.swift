/// The content of an event, typed for the types of PROTOCOL.md §7.
///
/// Types this version does not know decode to ``unknown(_:)`` and keep their
/// content as read.
public enum EventContent: Sendable {
    case message(MessageContent)
    case member(MemberContent)
    case redaction(redacts: String, reason: String?)
    case edit(replaces: String, newContent: MessageContent)
    case reaction(relatesTo: String, reaction: String)
    case typing(Bool)
    case name(String)
    case topic(String)
    case unknown(JSONObject)

    /// Decodes content for a type, checking the rules of §7.
    public init(type: String, content: JSONObject) throws(ProtocolError) {
        let fields = ContentFields(object: content, type: type)
        switch type {
        case EventType.message:
            self = .message(try MessageContent(fields))
        case EventType.member:
            self = .member(try MemberContent(fields))
        case EventType.redaction:
            self = .redaction(redacts: try fields.requiredString("redacts"), reason: try fields.optionalString("reason"))
        case EventType.edit:
            guard case .object(let inner)? = content["new_content"] else {
                throw ProtocolError(.schema, "\(type): new_content must be an object")
            }
            self = .edit(
                replaces: try fields.requiredString("replaces"),
                newContent: try MessageContent(ContentFields(object: inner, type: "\(type) new_content"))
            )
        case EventType.reaction:
            self = .reaction(relatesTo: try fields.requiredString("relates_to"), reaction: try fields.nonEmptyString("reaction"))
        case EventType.typing:
            guard case .bool(let typing)? = content["typing"] else {
                throw ProtocolError(.schema, "\(type): typing must be true or false")
            }
            self = .typing(typing)
        case EventType.name:
            self = .name(try fields.requiredString("name"))
        case EventType.topic:
            self = .topic(try fields.requiredString("topic"))
        default:
            self = .unknown(content)
        }
    }
}

/// `m.room.message` content (also the `new_content` of an edit).
public struct MessageContent: Sendable, Equatable {
    /// A file shared with `m.file`; its bytes live at `attachments/{sha256}`.
    public struct FileInfo: Sendable, Equatable {
        public let name: String
        public let size: Int64
        public let mimetype: String
        public let sha256: String
    }

    public static let msgtypes: Set<String> = ["m.text", "m.emote", "m.notice", "m.file"]

    /// Whether `msgtype` is one of ``msgtypes`` (compared by bytes: this runs for every message read).
    static func isKnown(_ msgtype: String) -> Bool {
        msgtype.hasSameBytes(as: "m.text") || msgtype.hasSameBytes(as: "m.emote")
            || msgtype.hasSameBytes(as: "m.notice") || msgtype.hasSameBytes(as: "m.file")
    }

    public let body: String
    public let msgtype: String
    public let file: FileInfo?

    public init(body: String, msgtype: String = "m.text", file: FileInfo? = nil) {
        self.body = body
        self.msgtype = msgtype
        self.file = file
    }

    init(_ fields: ContentFields) throws(ProtocolError) {
        body = try fields.nonEmptyString("body")
        msgtype = try fields.requiredString("msgtype")
        guard MessageContent.isKnown(msgtype) else {
            throw ProtocolError(.schema, "\(fields.type): unknown msgtype \"\(msgtype)\"")
        }
        if msgtype == "m.file" {
            guard case .object(let file)? = fields.object["file"] else {
                throw ProtocolError(.schema, "\(fields.type): m.file needs a file object")
            }
            let f = ContentFields(object: file, type: "\(fields.type) file")
            guard case .int(let size)? = file["size"], size >= 0 else {
                throw ProtocolError(.schema, "\(fields.type): file.size must be a non-negative integer")
            }
            let sha = try f.requiredString("sha256")
            guard sha.utf8.count == 64, sha.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }) else {
                throw ProtocolError(.schema, "\(fields.type): file.sha256 must be 64 lowercase hex digits")
            }
            self.file = FileInfo(name: try f.requiredString("name"), size: size, mimetype: try f.requiredString("mimetype"), sha256: sha)
        } else {
            self.file = nil
        }
    }

    /// The content as JSON.
    public var json: JSONObject {
        var object = JSONObject([("body", .string(body)), ("msgtype", .string(msgtype))])
        if let file {
            object["file"] = .object(JSONObject([
                ("name", .string(file.name)), ("size", .int(file.size)),
                ("mimetype", .string(file.mimetype)), ("sha256", .string(file.sha256)),
            ]))
        }
        return object
    }
}

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
}

/// Typed access to a content object's members, with errors that name the type.
struct ContentFields {
    let object: JSONObject
    let type: String

    func requiredString(_ key: String) throws(ProtocolError) -> String {
        guard let value = object[key] else { throw ProtocolError(.schema, "\(type): missing \(key)") }
        guard case .string(let s) = value else { throw ProtocolError(.schema, "\(type): \(key) must be a string") }
        return s
    }

    func nonEmptyString(_ key: String) throws(ProtocolError) -> String {
        let s = try requiredString(key)
        guard !s.isEmpty else { throw ProtocolError(.schema, "\(type): \(key) must not be empty") }
        return s
    }

    func optionalString(_ key: String) throws(ProtocolError) -> String? {
        switch object[key] {
        case nil, .null?: return nil
        case .string(let s)?: return s
        default: throw ProtocolError(.schema, "\(type): \(key) must be a string")
        }
    }
}
