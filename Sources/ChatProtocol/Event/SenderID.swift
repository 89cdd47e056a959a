/// Rules for `sender_id` (PROTOCOL.md §2): 1 to 255 characters, no control characters.
public enum SenderID {
    /// Throws a schema error naming the rule a sender id breaks.
    public static func validate(_ id: String) throws(ProtocolError) {
        // Most ids are ASCII: a byte is a character, and only C0 and DEL are controls.
        let ascii: Bool? = id.utf8.withContiguousStorageIfAvailable { bytes in
            bytes.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
        }
        if ascii == true, (1...255).contains(id.utf8.count) { return }
        var count = 0
        for scalar in id.unicodeScalars {
            count += 1
            if isControl(scalar) {
                throw ProtocolError(.schema, "sender_id contains the control character U+\(String(scalar.value, radix: 16, uppercase: true))")
            }
        }
        guard count >= 1 else { throw ProtocolError(.schema, "sender_id must not be empty") }
        guard count <= 255 else { throw ProtocolError(.schema, "sender_id is \(count) characters, over 255") }
    }

    /// Whether a sender id is valid.
    public static func isValid(_ id: String) -> Bool {
        do { try validate(id); return true } catch { return false }
    }

    /// C0 controls, DEL and C1 controls (Unicode general category Cc).
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (scalar.value >= 0x7F && scalar.value <= 0x9F)
    }
}
