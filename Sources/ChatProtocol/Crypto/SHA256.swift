import CSodium

/// SHA-256, through libsodium.
public enum SHA256 {
    /// The 32-byte digest of the bytes.
    public static func digest(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        _ = Sodium.ready
        var out = [UInt8](repeating: 0, count: 32)
        bytes.withNonNullBytes { pointer, count in
            _ = crypto_hash_sha256(&out, pointer, UInt64(count))
        }
        return out
    }

    /// Writes the 32-byte digest of the bytes into `out` (at least 32 bytes).
    static func digest(_ bytes: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) {
        _ = Sodium.ready
        precondition(out.count >= 32)
        bytes.withNonNullBytes { pointer, count in
            _ = crypto_hash_sha256(out.baseAddress!.assumingMemoryBound(to: UInt8.self), pointer, UInt64(count))
        }
    }

    /// The 32-byte digest of the bytes.
    public static func digest(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBytes { digest($0) }
    }

    /// The lowercase hex digest, as used for attachment names.
    public static func hexDigest(_ bytes: [UInt8]) -> String {
        hex(digest(bytes))
    }

    /// Lowercase hex of a digest.
    public static func hex(_ digest: [UInt8]) -> String {
        let hex: [Character] = Array("0123456789abcdef")
        var s = ""
        s.reserveCapacity(digest.count * 2)
        for b in digest {
            s.append(hex[Int(b >> 4)])
            s.append(hex[Int(b & 0xF)])
        }
        return s
    }
}
