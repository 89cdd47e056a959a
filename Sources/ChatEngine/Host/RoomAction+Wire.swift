import ChatProtocol

extension RoomAction {
    /// The action as one JSON object, as it crosses the owner's socket
    /// (``RoomHostServer``): `{"action": NAME, ...its fields}`.
    public var wire: JSONObject {
        func text(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }
        switch self {
        case .send(let content, let replyTo):
            return JSONObject([("action", "send"), ("content", .object(content.json)), ("reply_to", text(replyTo))])
        case .react(let reference, let reaction):
            return JSONObject([("action", "react"), ("reference", .string(reference)), ("reaction", .string(reaction))])
        case .edit(let reference, let body):
            return JSONObject([("action", "edit"), ("reference", .string(reference)), ("body", .string(body))])
        case .redact(let reference, let reason):
            return JSONObject([("action", "redact"), ("reference", .string(reference)), ("reason", text(reason))])
        case .invite(let userID, let key, let displayName):
            return JSONObject([("action", "invite"), ("user_id", .string(userID)), ("key", text(key?.base64)),
                               ("displayname", text(displayName))])
        case .kick(let userID, let reason):
            return JSONObject([("action", "kick"), ("user_id", .string(userID)), ("reason", text(reason))])
        case .ban(let userID, let reason):
            return JSONObject([("action", "ban"), ("user_id", .string(userID)), ("reason", text(reason))])
        case .join(let displayName):
            return JSONObject([("action", "join"), ("displayname", text(displayName))])
        case .addKey(let key, let deviceID, let revoking):
            return JSONObject([("action", "add_key"), ("key", .string(key.base64)), ("device_id", text(deviceID)),
                               ("revoke", .array(revoking.map { .string($0.base64) }))])
        case .leave:
            return JSONObject([("action", "leave")])
        case .setName(let name):
            return JSONObject([("action", "name"), ("name", .string(name))])
        case .setTopic(let topic):
            return JSONObject([("action", "topic"), ("topic", .string(topic))])
        case .typing(let on):
            return JSONObject([("action", "typing"), ("typing", .bool(on))])
        case .shareFile(let path, let name, let mimetype, let caption, let replyTo):
            return JSONObject([("action", "share_file"), ("path", .string(path)), ("name", text(name)),
                               ("mimetype", text(mimetype)), ("caption", text(caption)), ("reply_to", text(replyTo))])
        }
    }

    /// Reads an action from its ``wire`` form; the error says what is wrong.
    public init(wire object: JSONObject) throws(EngineError) {
        func string(_ key: String) throws(EngineError) -> String {
            guard let value = object[key]?.stringValue else { throw EngineError(.invalidEvent, "a \(object["action"]?.stringValue ?? "?") action needs \(key)") }
            return value
        }
        func optional(_ key: String) -> String? { object[key]?.stringValue }
        func key(_ text: String) throws(EngineError) -> PublicKey {
            guard let key = PublicKey(base64: text) else { throw EngineError(.invalidEvent, "\(text) is not base64 of a 32-byte Ed25519 public key") }
            return key
        }
        switch object["action"]?.stringValue {
        case "send":
            guard let content = object["content"]?.objectValue,
                  case .message(let message)? = try? EventContent(type: EventType.message, content: content) else {
                throw EngineError(.invalidEvent, "a send action needs a valid m.room.message content")
            }
            self = .send(message, replyTo: optional("reply_to"))
        case "react": self = .react(reference: try string("reference"), reaction: try string("reaction"))
        case "edit": self = .edit(reference: try string("reference"), body: try string("body"))
        case "redact": self = .redact(reference: try string("reference"), reason: optional("reason"))
        case "invite":
            self = .invite(userID: try string("user_id"), key: try optional("key").map { (text) throws(EngineError) in try key(text) },
                           displayName: optional("displayname"))
        case "kick": self = .kick(userID: try string("user_id"), reason: optional("reason"))
        case "ban": self = .ban(userID: try string("user_id"), reason: optional("reason"))
        case "join": self = .join(displayName: optional("displayname"))
        case "add_key":
            var revoked: [PublicKey] = []
            for item in object["revoke"]?.arrayValue ?? [] {
                guard let text = item.stringValue else { throw EngineError(.invalidEvent, "revoke must list base64 keys") }
                revoked.append(try key(text))
            }
            self = .addKey(try key(try string("key")), deviceID: optional("device_id"), revoking: revoked)
        case "leave": self = .leave
        case "name": self = .setName(try string("name"))
        case "topic": self = .setTopic(try string("topic"))
        case "typing":
            guard let on = object["typing"]?.boolValue else { throw EngineError(.invalidEvent, "a typing action needs typing: true or false") }
            self = .typing(on)
        case "share_file":
            // The owner reads the file from its own working folder: only an absolute path means the same file.
            guard let path = optional("path"), path.hasPrefix("/") else {
                throw EngineError(.invalidEvent, "a share_file action needs the file's absolute path")
            }
            self = .shareFile(path: path, name: optional("name"), mimetype: optional("mimetype"),
                              caption: optional("caption"), replyTo: optional("reply_to"))
        case let other:
            throw EngineError(.invalidEvent, "unknown action \(other.map { "\"\($0)\"" } ?? "(none)")")
        }
    }
}
