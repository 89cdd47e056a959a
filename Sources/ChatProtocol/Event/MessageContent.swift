/// `m.room.message` content (also the `new_content` of an edit).
public struct MessageContent: Sendable, Equatable {
    /// A file shared with `m.file`; its bytes live at `attachments/{sha256}`.
    ///
    /// `size` and `sha256` describe the stored bytes. In a private room they
    /// are ciphertext, and ``encryption`` holds the key and the plaintext's
    /// hash and size (docs/private-rooms.md).
    public struct FileInfo: Sendable, Equatable {
        public let name: String
        public let size: Int64
        public let mimetype: String
        public let sha256: String
        public let encryption: FileEncryption?

        public init(name: String, size: Int64, mimetype: String, sha256: String, encryption: FileEncryption? = nil) {
            self.name = name
            self.size = size
            self.mimetype = mimetype
            self.sha256 = sha256
            self.encryption = encryption
        }

        /// The size of the file as shared: the plaintext's in a private room.
        public var contentSize: Int64 { encryption?.size ?? size }
    }

    /// How a private room's shared file is encrypted (``FileCipher``).
    public struct FileEncryption: Sendable, Equatable {
        /// The file's own 32-byte secretstream key.
        public let key: [UInt8]
        /// SHA-256 (lowercase hex) of the plaintext.
        public let sha256: String
        /// The plaintext's size in bytes.
        public let size: Int64

        public init(key: [UInt8], sha256: String, size: Int64) {
            self.key = key
            self.sha256 = sha256
            self.size = size
        }

        init(_ object: JSONObject, type: String) throws(ProtocolError) {
            let f = ContentFields(object: object, type: "\(type) file.encryption")
            let algorithm = try f.requiredString("algorithm")
            guard algorithm == FileCipher.algorithm else { throw ProtocolError(.schema, "\(type): unknown file encryption \"\(algorithm)\"") }
            guard let key = Base64.decode(try f.requiredString("key")), key.count == 32 else {
                throw ProtocolError(.schema, "\(type): file.encryption.key is not base64 of 32 bytes")
            }
            let sha = try f.requiredString("sha256")
            guard FileInfo.isSHA256Hex(sha) else { throw ProtocolError(.schema, "\(type): file.encryption.sha256 must be 64 lowercase hex digits") }
            guard case .int(let size)? = object["size"], size >= 0, size <= FileInfo.maxSize else {
                throw ProtocolError(.schema, "\(type): file.encryption.size must be an integer from 0 to 2^53-1")
            }
            self.init(key: key, sha256: sha, size: size)
        }

        var json: JSONObject {
            JSONObject([("algorithm", .string(FileCipher.algorithm)), ("key", .string(Base64.encode(key))),
                        ("sha256", .string(sha256)), ("size", .int(size))])
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
            var encryption: FileEncryption?
            if let value = file["encryption"], !value.isNull {
                guard case .object(let object) = value else { throw ProtocolError(.schema, "\(fields.type): file.encryption must be an object") }
                encryption = try FileEncryption(object, type: fields.type)
            }
            self.file = FileInfo(name: name, size: size, mimetype: mimetype, sha256: sha, encryption: encryption)
        } else {
            self.file = nil
        }
    }

    /// The content as JSON: the inverse of the decoder (`file` only with a file).
    public var json: JSONObject {
        var object = JSONObject([("body", .string(body)), ("msgtype", .string(msgtype))])
        if let file {
            var info = JSONObject([
                ("name", .string(file.name)), ("size", .int(file.size)),
                ("mimetype", .string(file.mimetype)), ("sha256", .string(file.sha256)),
            ])
            info["encryption"] = file.encryption.map { .object($0.json) }
            object["file"] = .object(info)
        }
        return object
    }
}
