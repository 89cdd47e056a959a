import CSodium

/// XChaCha20-Poly1305 (IETF) with associated data: the cipher of a private
/// room's event content.
///
/// The 24-byte nonce is random per event, which XChaCha's extended nonce makes
/// safe without a counter shared between devices. The associated data is not
/// encrypted but bound to the ciphertext: opening fails unless it is the same
/// bytes the writer used.
public enum ContentCipher {
    /// Nonce length in bytes.
    public static let nonceBytes = Int(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES)
    /// Authentication tag length: a ciphertext is this much longer than its plaintext.
    public static let tagBytes = Int(crypto_aead_xchacha20poly1305_ietf_ABYTES)

    /// Encrypts `plaintext` under `key` with `nonce`, binding `associatedData`.
    public static func seal(_ plaintext: [UInt8], associatedData: [UInt8], nonce: [UInt8], key: RoomKey) throws(ProtocolError) -> [UInt8] {
        guard Sodium.ready else { throw ProtocolError(.crypto, "libsodium failed to initialise") }
        guard nonce.count == nonceBytes else { throw ProtocolError(.crypto, "an XChaCha20-Poly1305 nonce is \(nonceBytes) bytes, got \(nonce.count)") }
        var out = [UInt8](repeating: 0, count: plaintext.count + tagBytes)
        var written: UInt64 = 0
        let rc = plaintext.withUnsafeBytes { p in
            associatedData.withUnsafeBytes { a in
                p.withNonNullBytes { pp, pc in
                    a.withNonNullBytes { ap, ac in
                        crypto_aead_xchacha20poly1305_ietf_encrypt(&out, &written, pp, UInt64(pc), ap, UInt64(ac), nil, nonce, key.bytes)
                    }
                }
            }
        }
        guard rc == 0 else { throw ProtocolError(.crypto, "libsodium could not encrypt the content") }
        return Array(out.prefix(Int(written)))
    }

    /// Decrypts and authenticates; nil when the key, nonce, associated data or
    /// ciphertext differ from what the writer sealed.
    public static func open(_ ciphertext: [UInt8], associatedData: [UInt8], nonce: [UInt8], key: RoomKey) -> [UInt8]? {
        guard Sodium.ready, nonce.count == nonceBytes, ciphertext.count >= tagBytes else { return nil }
        var out = [UInt8](repeating: 0, count: ciphertext.count - tagBytes)
        var written: UInt64 = 0
        let rc = ciphertext.withUnsafeBytes { c in
            associatedData.withUnsafeBytes { a in
                c.withNonNullBytes { cp, cc in
                    a.withNonNullBytes { ap, ac in
                        crypto_aead_xchacha20poly1305_ietf_decrypt(&out, &written, nil, cp, UInt64(cc), ap, UInt64(ac), nonce, key.bytes)
                    }
                }
            }
        }
        guard rc == 0 else { return nil }
        return Array(out.prefix(Int(written)))
    }
}
