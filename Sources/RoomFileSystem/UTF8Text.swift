/// Bytes written to `send` and `ctl`, checked as UTF-8 before any become
/// text: decoding them leniently would turn every invalid byte into U+FFFD
/// and sign that into the room for good.
enum UTF8Text {
    /// The text of a complete line, or nil when it is not valid UTF-8
    /// (stray or missing continuation bytes, overlong forms, surrogates,
    /// scalars over U+10FFFF).
    static func decode(_ bytes: some Collection<UInt8>) -> String? {
        String(validating: bytes, as: UTF8.self)
    }

    /// Whether an unfinished line can still become valid: it is valid, or
    /// valid but for the start of one character at its end, whose other
    /// bytes the next write brings (a pipe cuts its data in 4 KiB pieces,
    /// wherever a character falls).
    static func canContinue(_ bytes: [UInt8]) -> Bool {
        if decode(bytes) != nil { return true }
        // A character is at most 4 bytes: its start is among the last 3.
        for cut in 1...min(3, bytes.count) {
            let tail = bytes[(bytes.count - cut)...]
            guard let lead = tail.first, cut < sequenceLength(lead),
                  tail.dropFirst().allSatisfy({ $0 & 0xC0 == 0x80 }) else { continue }
            return decode(bytes[..<(bytes.count - cut)]) != nil
        }
        return false
    }

    /// The offset of the first byte that makes `bytes` invalid, for the
    /// error message.
    static func firstInvalidOffset(_ bytes: some Collection<UInt8>) -> Int {
        let array = Array(bytes)
        var low = 0, high = array.count
        // The longest valid prefix, by bisection: a valid prefix stays valid when cut at a character boundary.
        while low < high {
            let middle = (low + high + 1) / 2
            if canContinue(Array(array[..<middle])) { low = middle } else { high = middle - 1 }
        }
        return low
    }

    /// How many bytes a character starting with `lead` takes (0 for a byte
    /// that cannot start one).
    private static func sequenceLength(_ lead: UInt8) -> Int {
        switch lead {
        case 0x00...0x7F: 1
        case 0xC2...0xDF: 2
        case 0xE0...0xEF: 3
        case 0xF0...0xF4: 4
        default: 0
        }
    }
}
