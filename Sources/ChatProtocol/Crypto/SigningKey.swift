import CSodium

/// An Ed25519 signing key: one device's secret.
///
/// Made from a 32-byte seed, which is what the key file stores (PROTOCOL.md §4).
public struct SigningKey: Sendable {
    /// The 32-byte seed the key pair derives from.
    public let seed: [UInt8]
    /// The matching public key.
    public let publicKey: PublicKey
    /// libsodium's 64-byte secret key (seed followed by public key).
    let secretKey: [UInt8]

    /// The key pair derived from a 32-byte seed.
    public init(seed: [UInt8]) throws(ProtocolError) {
        guard seed.count == 32 else {
            throw ProtocolError(.badKey, "an Ed25519 seed is 32 bytes, got \(seed.count)")
        }
        guard Sodium.ready else { throw ProtocolError(.crypto, "libsodium failed to initialise") }
        var pk = [UInt8](repeating: 0, count: 32)
        var sk = [UInt8](repeating: 0, count: 64)
        let rc = crypto_sign_seed_keypair(&pk, &sk, seed)
        guard rc == 0, let publicKey = PublicKey(bytes: pk) else {
            throw ProtocolError(.crypto, "libsodium could not derive a key pair from the seed")
        }
        self.seed = seed
        self.secretKey = sk
        self.publicKey = publicKey
    }

    /// A new key pair from the operating system's random source.
    public static func generate() throws(ProtocolError) -> SigningKey {
        guard Sodium.ready else { throw ProtocolError(.crypto, "libsodium failed to initialise") }
        var seed = [UInt8](repeating: 0, count: 32)
        randombytes_buf(&seed, 32)
        return try SigningKey(seed: seed)
    }

    /// The 64-byte Ed25519 signature of a message.
    public func sign(_ message: UnsafeRawBufferPointer) -> [UInt8] {
        var signature = [UInt8](repeating: 0, count: 64)
        message.withNonNullBytes { pointer, count in
            _ = crypto_sign_detached(&signature, nil, pointer, UInt64(count), secretKey)
        }
        return signature
    }

    /// The 64-byte Ed25519 signature of a message.
    public func sign(_ message: [UInt8]) -> [UInt8] {
        message.withUnsafeBytes { sign($0) }
    }
}
