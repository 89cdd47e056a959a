/// The content of an event, typed for the types of PROTOCOL.md §7.
///
/// Types this version does not know decode to ``unknown(_:)`` and keep their
/// content as read. ``json`` encodes it back: writers build content typed, so
/// what they sign is what readers decode.
public enum EventContent: Sendable, Equatable {
    case message(MessageContent)
    case member(MemberContent)
    case redaction(redacts: String, reason: String?)
    case edit(replaces: String, newContent: MessageContent)
    case reaction(relatesTo: String, reaction: String)
    case typing(Bool)
    case name(String)
    case topic(String)
    case roomKey(RoomKeyContent)
    case encrypted(EncryptedContent)
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
        case EventType.roomKey:
            self = .roomKey(try RoomKeyContent(fields))
        case EventType.encrypted:
            self = .encrypted(try EncryptedContent(fields))
        default:
            self = .unknown(content)
        }
    }

    /// The content as JSON: the inverse of ``init(type:content:)``.
    ///
    /// Optional members that are absent (`nil`, or no keys to revoke) are left
    /// out rather than written as `null`: the decoder reads both alike, and
    /// leaving them out is what the reference client writes, so decoding a
    /// writer's content and encoding it again gives the same bytes.
    public var json: JSONObject {
        switch self {
        case .message(let message):
            return message.json
        case .member(let member):
            return member.json
        case .redaction(let redacts, let reason):
            var object = JSONObject([("redacts", .string(redacts))])
            object["reason"] = reason.map { .string($0) }
            return object
        case .edit(let replaces, let newContent):
            return JSONObject([("replaces", .string(replaces)), ("new_content", .object(newContent.json))])
        case .reaction(let relatesTo, let reaction):
            return JSONObject([("relates_to", .string(relatesTo)), ("reaction", .string(reaction))])
        case .typing(let typing):
            return JSONObject([("typing", .bool(typing))])
        case .name(let name):
            return JSONObject([("name", .string(name))])
        case .topic(let topic):
            return JSONObject([("topic", .string(topic))])
        case .roomKey(let key):
            return key.json
        case .encrypted(let encrypted):
            return encrypted.json
        case .unknown(let content):
            return content
        }
    }
}
