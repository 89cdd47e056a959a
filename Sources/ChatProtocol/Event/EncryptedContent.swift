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

    public init(epoch: String, nonce: [UInt8], ciphertext: [UInt8]) {
        self.epoch = epoch
        self.nonce = nonce
        self.ciphertext = ciphertext
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
    }

    /// The content as JSON: the inverse of the decoder.
    public var json: JSONObject {
        JSONObject([
            ("algorithm", .string(RoomKeyContent.algorithm)),
            ("epoch", .string(epoch)),
            ("nonce", .string(Base64.encode(nonce))),
            ("ciphertext", .string(Base64.encode(ciphertext))),
        ])
    }
}
