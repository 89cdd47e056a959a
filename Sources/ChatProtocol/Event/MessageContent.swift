/// `m.room.message` content (also the `new_content` of an edit).
public struct MessageContent: Sendable, Equatable {
    /// A file shared with `m.file`; its bytes live at `attachments/{sha256}`.
    public struct FileInfo: Sendable, Equatable {
        public let name: String
        public let size: Int64
        public let mimetype: String
        public let sha256: String

        public init(name: String, size: Int64, mimetype: String, sha256: String) {
            self.name = name
            self.size = size
            self.mimetype = mimetype
            self.sha256 = sha256
        }
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
            guard case .int(let size)? = file["size"], size >= 0, size <= FileInfo.maxSize else {
                throw ProtocolError(.schema, "\(fields.type): file.size must be an integer from 0 to 2^53-1")
            }
            let sha = try f.requiredString("sha256")
            guard FileInfo.isSHA256Hex(sha) else {
                throw ProtocolError(.schema, "\(fields.type): file.sha256 must be 64 lowercase hex digits")
            }
            let name = try f.requiredString("name")
            if let problem = FileInfo.nameProblem(name) {
                throw ProtocolError(.schema, "\(fields.type): file.name \(problem)")
            }
            let mimetype = try f.requiredString("mimetype")
            if let problem = FileInfo.mimetypeProblem(mimetype) {
                throw ProtocolError(.schema, "\(fields.type): file.mimetype \(problem)")
            }
            self.file = FileInfo(name: name, size: size, mimetype: mimetype, sha256: sha)
        } else {
            self.file = nil
        }
    }

    /// The content as JSON: the inverse of the decoder (`file` only with a file).
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
