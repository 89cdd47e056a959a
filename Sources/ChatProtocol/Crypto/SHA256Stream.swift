import CSodium

/// SHA-256 over bytes that arrive in pieces (libsodium's
/// `crypto_hash_sha256_state`): attachments are hashed as they are copied or
/// downloaded, so no file is ever held whole in memory.
public struct SHA256Stream: Sendable {
    private var state = crypto_hash_sha256_state()

    /// A fresh hash of no bytes yet.
    public init() {
        _ = Sodium.ready
        _ = crypto_hash_sha256_init(&state)
    }

    /// Adds the next bytes.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        bytes.withNonNullBytes { pointer, count in
            _ = crypto_hash_sha256_update(&state, pointer, UInt64(count))
        }
    }

    /// Adds the next bytes.
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The 32-byte digest of every byte added; the stream is spent.
    public consuming func finish() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        _ = crypto_hash_sha256_final(&state, &out)
        return out
    }

    /// The lowercase hex digest of every byte added, the form attachment keys use.
    public consuming func finishHex() -> String {
        SHA256.hex(finish())
    }
}
