extension EncryptedContent {
    /// The event types whose content a private room encrypts. Membership,
    /// name, topic, key and typing events stay in the clear: the rules need
    /// the first four, and typing lives 15 seconds.
    public static let sealedTypes: Set<String> = [EventType.message, EventType.reaction, EventType.edit, EventType.redaction]

    /// The associated data: canonical JSON of the algorithm, epoch, event id,
    /// room id and sender id. A ciphertext moved to another event, room,
    /// sender or epoch fails to open.
    public static func associatedData(epoch: String, roomID: String, senderID: String, eventID: String) -> [UInt8] {
        CanonicalJSON.encode(.object(JSONObject([
            ("algorithm", .string(RoomKeyContent.algorithm)), ("epoch", .string(epoch)),
            ("event_id", .string(eventID)), ("room_id", .string(roomID)), ("sender_id", .string(senderID)),
        ])))
    }

    /// The plaintext: canonical JSON of `{"content":…,"type":…}`.
    public static func plaintext(type: String, content: JSONObject) -> [UInt8] {
        CanonicalJSON.encode(.object(JSONObject([("content", .object(content)), ("type", .string(type))])))
    }

    /// Encrypts an event's type and content for the event `eventID` of
    /// `senderID` in `roomID`, under the key of `epoch`.
    public static func seal(
        type: String, content: JSONObject, epoch: String, key: RoomKey,
        roomID: String, senderID: String, eventID: String, nonce: [UInt8] = RandomBytes.make(ContentCipher.nonceBytes)
    ) throws(ProtocolError) -> EncryptedContent {
        let ad = associatedData(epoch: epoch, roomID: roomID, senderID: senderID, eventID: eventID)
        let sealed = try ContentCipher.seal(plaintext(type: type, content: content), associatedData: ad, nonce: nonce, key: key)
        let attachment = type == EventType.message ? content["file"]?.objectValue?["sha256"]?.stringValue : nil
        return EncryptedContent(epoch: epoch, nonce: nonce, ciphertext: sealed, attachment: attachment)
    }

    /// Decrypts to the inner type and content, checking that the inner event
    /// is one a private room encrypts and that its content follows its type's
    /// rules. Throws ``ProtocolError/Code/crypto`` when the ciphertext does
    /// not open (wrong key, moved or damaged) and ``ProtocolError/Code/schema``
    /// when what it holds is not such an event.
    public func open(key: RoomKey, roomID: String, senderID: String, eventID: String) throws(ProtocolError) -> (type: String, content: EventContent) {
        let ad = Self.associatedData(epoch: epoch, roomID: roomID, senderID: senderID, eventID: eventID)
        guard let plain = ContentCipher.open(ciphertext, associatedData: ad, nonce: nonce, key: key) else {
            throw ProtocolError(.crypto, "the ciphertext does not open with the key of epoch \(epoch): it was damaged, or moved from another event, room or sender")
        }
        let value: JSONValue
        do {
            value = try JSONParser(maxBytes: 1 << 16).parse(plain)
        } catch {
            throw ProtocolError(.schema, "the decrypted content is not JSON: \(error)")
        }
        guard case .object(let inner) = value, case .string(let type)? = inner["type"], case .object(let content)? = inner["content"] else {
            throw ProtocolError(.schema, "the decrypted content is not {\"type\", \"content\"}")
        }
        guard Self.sealedTypes.contains(type) else {
            throw ProtocolError(.schema, "a private room does not encrypt \(type) events")
        }
        let decoded = try EventContent(type: type, content: content)
        var named: String?
        if case .message(let message) = decoded { named = message.file?.sha256 }
        guard named == attachment else {
            throw ProtocolError(.schema, "the clear attachment field (\(attachment ?? "none")) does not name the file the encrypted message shares (\(named ?? "none"))")
        }
        return (type, decoded)
    }
}
