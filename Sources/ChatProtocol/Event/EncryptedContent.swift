/// `m.room.encrypted` content: another event's type and content, encrypted
/// under an epoch's room key (docs/private-rooms.md).
///
/// The outer event is signed and chained like any other, so a reader without
/// keys verifies everything but what is inside. ``open(key:roomID:senderID:eventID:)``
/// (in `EncryptedContent+Sealing.swift`) decrypts with the associated data
/// that binds the ciphertext to its room, sender, event and epoch.
public struct EncryptedContent: Sendable, Equatable {
    /// The `m.room.key` event that started the epoch whose key encrypts this.
    public let epoch: String
    /// The random 24-byte XChaCha20-Poly1305 nonce.
    public let nonce: [UInt8]
    /// The ciphertext of the canonical inner `{"content":…,"type":…}` with its tag.
    public let ciphertext: [UInt8]
    /// For a shared file: the SHA-256 of its stored (encrypted) bytes, in the
    /// clear so uploaders and `verify --attachments` find the blob without
    /// keys. It tells nothing of the plaintext; the inner `m.file` must name
    /// the same blob.
    public let attachment: String?

    public init(epoch: String, nonce: [UInt8], ciphertext: [UInt8], attachment: String? = nil) {
        self.epoch = epoch
        self.nonce = nonce
        self.ciphertext = ciphertext
        self.attachment = attachment
    }

    init(_ fields: ContentFields) throws(ProtocolError) {
        let algorithm = try fields.requiredString("algorithm")
        guard algorithm == RoomKeyContent.algorithm else {
            throw ProtocolError(.schema, "\(fields.type): unknown algorithm \"\(algorithm)\"")
        }
        epoch = try fields.nonEmptyString("epoch")
        guard let nonce = Base64.decode(try fields.requiredString("nonce")), nonce.count == ContentCipher.nonceBytes else {
            throw ProtocolError(.schema, "\(fields.type): nonce is not base64 of \(ContentCipher.nonceBytes) bytes")
        }
        guard let ciphertext = Base64.decode(try fields.requiredString("ciphertext")), ciphertext.count >= ContentCipher.tagBytes else {
            throw ProtocolError(.schema, "\(fields.type): ciphertext is not base64 of at least \(ContentCipher.tagBytes) bytes")
        }
        self.nonce = nonce
        self.ciphertext = ciphertext
        let attachment = try fields.optionalString("attachment")
        if let attachment, !MessageContent.FileInfo.isSHA256Hex(attachment) {
            throw ProtocolError(.schema, "\(fields.type): attachment must be 64 lowercase hex digits")
        }
        self.attachment = attachment
    }

    /// The content as JSON: the inverse of the decoder.
    public var json: JSONObject {
        var object = JSONObject([
            ("algorithm", .string(RoomKeyContent.algorithm)),
            ("epoch", .string(epoch)),
            ("nonce", .string(Base64.encode(nonce))),
            ("ciphertext", .string(Base64.encode(ciphertext))),
        ])
        object["attachment"] = attachment.map { .string($0) }
        return object
    }
}
