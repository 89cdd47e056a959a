import CSodium

/// An Ed25519 public key: verifies the signatures of one device.
///
/// Its text form is standard base64 of the 32 raw bytes (PROTOCOL.md §4).
public struct PublicKey: Hashable, Sendable, CustomStringConvertible {
    /// The 32 raw bytes.
    public let bytes: [UInt8]

    /// A key from its 32 raw bytes; nil for any other length.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 32 else { return nil }
        self.bytes = bytes
    }

    /// A key from its text form; nil unless it is base64 of exactly 32 bytes.
    public init?(base64 text: String) {
        guard let raw = Base64.decode(text), raw.count == 32 else { return nil }
        self.bytes = raw
    }

    /// Hashes the 32 bytes at once (the synthesized hash feeds them one by
    /// one; keys are looked up for every event in tables keyed by signer).
    public func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    public static func == (a: PublicKey, b: PublicKey) -> Bool { a.bytes == b.bytes }

    /// Standard base64 of the raw bytes.
    public var base64: String { Base64.encode(bytes) }

    public var description: String { base64 }

    /// Whether `signature` is this key's Ed25519 signature of `message`.
    public func verify(signature: [UInt8], of message: UnsafeRawBufferPointer) -> Bool {
        guard signature.count == 64, Sodium.ready else { return false }
        return message.withNonNullBytes { pointer, count in
            crypto_sign_verify_detached(signature, pointer, UInt64(count), bytes) == 0
        }
    }

    /// Whether `signature` is this key's Ed25519 signature of `message`.
    public func verify(signature: [UInt8], of message: [UInt8]) -> Bool {
        message.withUnsafeBytes { verify(signature: signature, of: $0) }
    }
}
