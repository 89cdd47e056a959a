import CSodium

/// The symmetric key of one epoch of a private room (docs/private-rooms.md).
///
/// 32 random bytes. It travels only sealed to a member device: ``seal(to:)``
/// encrypts it to the X25519 form of that device's Ed25519 signing key with
/// libsodium's anonymous sealed box, so a device needs no key but the one it
/// signs with, and the bucket sees only ciphertext.
public struct RoomKey: Sendable, Equatable {
    /// The 32 key bytes.
    public let bytes: [UInt8]

    /// A key from its 32 bytes.
    public init(bytes: [UInt8]) throws(ProtocolError) {
        guard bytes.count == 32 else { throw ProtocolError(.badKey, "a room key is 32 bytes, got \(bytes.count)") }
        self.bytes = bytes
    }

    /// A fresh key from the operating system's random source.
    public static func generate() throws(ProtocolError) -> RoomKey {
        try RoomKey(bytes: RandomBytes.make(32))
    }

    /// The key sealed to one device: only the holder of the signing key whose
    /// public half is `recipient` can open it (48 bytes more than the key).
    public func seal(to recipient: PublicKey) throws(ProtocolError) -> [UInt8] {
        guard Sodium.ready else { throw ProtocolError(.crypto, "libsodium failed to initialise") }
        var curve = [UInt8](repeating: 0, count: Int(crypto_box_PUBLICKEYBYTES))
        guard crypto_sign_ed25519_pk_to_curve25519(&curve, recipient.bytes) == 0 else {
            throw ProtocolError(.badKey, "the key \(recipient.base64) is not a valid Ed25519 point and cannot receive a room key")
        }
        var sealed = [UInt8](repeating: 0, count: bytes.count + Int(crypto_box_sealbytes()))
        guard crypto_box_seal(&sealed, bytes, UInt64(bytes.count), curve) == 0 else {
            throw ProtocolError(.crypto, "libsodium could not seal a room key")
        }
        return sealed
    }

    /// Opens a key sealed to `key`'s device; nil when it was sealed to another
    /// device or damaged (the box's tag does not verify).
    public static func open(sealed: [UInt8], with key: SigningKey) -> RoomKey? {
        guard Sodium.ready, sealed.count == 32 + Int(crypto_box_sealbytes()) else { return nil }
        var curveSecret = [UInt8](repeating: 0, count: Int(crypto_box_SECRETKEYBYTES))
        var curvePublic = [UInt8](repeating: 0, count: Int(crypto_box_PUBLICKEYBYTES))
        defer { sodium_memzero(&curveSecret, curveSecret.count) }
        guard crypto_sign_ed25519_sk_to_curve25519(&curveSecret, key.secretKey) == 0,
              crypto_sign_ed25519_pk_to_curve25519(&curvePublic, key.publicKey.bytes) == 0
        else { return nil }
        var opened = [UInt8](repeating: 0, count: 32)
        guard crypto_box_seal_open(&opened, sealed, UInt64(sealed.count), curvePublic, curveSecret) == 0 else { return nil }
        return try? RoomKey(bytes: opened)
    }
}
