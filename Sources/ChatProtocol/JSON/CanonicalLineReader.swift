/// Reads a JSON object whose text is already canonical (PROTOCOL.md §3), the
/// form every writer of this profile emits, without the work a strict parse
/// of arbitrary text needs.
///
/// A canonical text has no whitespace, its keys in code point order with no
/// duplicates, only the escapes ``CanonicalJSON`` writes and only safe
/// integers, so the reader checks that form as it goes instead of sorting
/// members, validating UTF-8 or re-encoding afterwards; and since the text is
/// its own canonical form, the signed bytes are the text without its
/// top-level `signature` member. Anything else — other spacing, key order or
/// escapes, raw non-ASCII bytes, errors of any kind — gives nil, and the
/// caller parses strictly with ``JSONParser`` and encodes with
/// ``CanonicalJSON``. So for every input the reader accepts, `JSONParser`
/// gives the same value and `CanonicalJSON.encode` gives back the same bytes
/// (`CanonicalLineReaderTests` and the `fuzz-event-line` target check both).
struct CanonicalLineReader {
    /// An object read from its canonical text.
    struct Reading {
        let object: JSONObject
        /// The bytes to leave out for the signed form: the top-level
        /// `signature` member with one comma beside it; nil when there is none.
        let signature: Range<Int>?
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private let maxDepth: Int
    private var position = 0
    private var signature: Range<Int>?
    /// Where the last string read lies (between its quotes), and whether it held escapes.
    private var lastString: (range: Range<Int>, escaped: Bool) = (0..<0, false)

    private init(bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    /// The object `bytes` hold if they are exactly its canonical text, else nil.
    static func read(_ bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int = JSONParser.defaultMaxDepth) -> Reading? {
        var reader = CanonicalLineReader(bytes: bytes, maxDepth: maxDepth)
        guard reader.current == UInt8(ascii: "{"), case .object(let object)? = reader.value(depth: 0),
              reader.position == bytes.count
        else { return nil }
        return Reading(object: object, signature: reader.signature)
    }

    private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func value(depth: Int) -> JSONValue? {
        guard let byte = current else { return nil }
        switch byte {
        case UInt8(ascii: "{"): return object(depth: depth + 1)
        case UInt8(ascii: "["): return array(depth: depth + 1)
        case UInt8(ascii: "\""): return string().map { .string($0) }
        case UInt8(ascii: "t"): return literal("true") ? .bool(true) : nil
        case UInt8(ascii: "f"): return literal("false") ? .bool(false) : nil
        case UInt8(ascii: "n"): return literal("null") ? .null : nil
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return integer().map { .int($0) }
        default: return nil
        }
    }

    private mutating func object(depth: Int) -> JSONValue? {
        // The strict parser's limit: deeper nesting is its error to report.
        guard depth <= maxDepth else { return nil }
        position += 1
        if current == UInt8(ascii: "}") {
            position += 1
            return .object(JSONObject(sortedMembers: []))
        }
        var members: [JSONObject.Member] = []
        // An event has nine members; most contents two or three.
        members.reserveCapacity(depth == 1 ? 9 : 4)
        var previousKey: (range: Range<Int>, escaped: Bool)?
        while true {
            let memberStart = position
            guard current == UInt8(ascii: "\""), let key = string(), current == UInt8(ascii: ":") else { return nil }
            let keyBytes = lastString
            // Canonical order is strictly increasing code points, which is UTF-8 byte
            // order: compared in place unless an escape makes the text differ from the key.
            if let previous = previousKey, let last = members.last {
                let ordered = previous.escaped || keyBytes.escaped ? last.key.precedesInBytes(key)
                    : UnsafeBufferPointer(rebasing: bytes[previous.range]).lexicographicallyPrecedes(UnsafeBufferPointer(rebasing: bytes[keyBytes.range]))
                guard ordered else { return nil }
            }
            previousKey = keyBytes
            position += 1
            guard let value = value(depth: depth) else { return nil }
            let isSignature = depth == 1 && !keyBytes.escaped && UnsafeBufferPointer(rebasing: bytes[keyBytes.range]).elementsEqual("signature".utf8)
            members.append(JSONObject.Member(key: key, value: value))
            guard let next = current else { return nil }
            position += 1
            if isSignature {
                // One comma goes with the member: the one before it, or after it when it comes first.
                signature = members.count > 1 ? (memberStart - 1)..<(position - 1)
                    : (next == UInt8(ascii: ",") ? memberStart..<position : memberStart..<(position - 1))
            }
            if next == UInt8(ascii: ",") { continue }
            guard next == UInt8(ascii: "}") else { return nil }
            return .object(JSONObject(sortedMembers: members))
        }
    }

    private mutating func array(depth: Int) -> JSONValue? {
        guard depth <= maxDepth else { return nil }
        position += 1
        if current == UInt8(ascii: "]") {
            position += 1
            return .array([])
        }
        var items: [JSONValue] = []
        while true {
            guard let item = value(depth: depth), let next = current else { return nil }
            items.append(item)
            position += 1
            if next == UInt8(ascii: ",") { continue }
            return next == UInt8(ascii: "]") ? .array(items) : nil
        }
    }

    private mutating func literal(_ text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard position + count <= bytes.count else { return false }
        let matches = text.withUTF8Buffer { expected in
            for i in 0..<count where bytes[position + i] != expected[i] { return false }
            return true
        }
        position += matches ? count : 0
        return matches
    }

    /// `0` or `-?[1-9][0-9]*` within ±(2^53-1), not `-0`, and no fraction or exponent.
    private mutating func integer() -> Int64? {
        let negative = current == UInt8(ascii: "-")
        if negative { position += 1 }
        guard let first = current, first >= UInt8(ascii: "0"), first <= UInt8(ascii: "9") else { return nil }
        var magnitude: Int64 = 0
        if first == UInt8(ascii: "0") {
            guard !negative else { return nil }
            position += 1
        } else {
            while let digit = current, digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") {
                magnitude = magnitude * 10 + Int64(digit - UInt8(ascii: "0"))
                guard magnitude <= JSONParser.maxSafeInteger else { return nil }
                position += 1
            }
        }
        if let next = current, next == UInt8(ascii: ".") || next == UInt8(ascii: "e") || next == UInt8(ascii: "E") { return nil }
        return negative ? -magnitude : magnitude
    }

    /// A string token in exactly the form ``CanonicalJSON`` writes, decoded.
    private mutating func string() -> String? {
        position += 1
        let start = position
        // Printable ASCII without escapes: ids, hashes, signatures and most bodies.
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                defer { position += 1 }
                lastString = (start..<position, false)
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
            }
            guard byte >= 0x20, byte < 0x7F else { return nil }
            if byte == UInt8(ascii: "\\") { break }
            position += 1
        }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(position - start + 16)
        decoded.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<position]))
        while let byte = current {
            switch byte {
            case UInt8(ascii: "\""):
                lastString = (start..<position, true)
                position += 1
                return String(decoding: decoded, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard escape(into: &decoded) else { return nil }
            case 0x20..<0x7F:
                decoded.append(byte)
                position += 1
            default:
                return nil
            }
        }
        return nil
    }

    /// One escape as ``CanonicalJSON`` writes it: the short forms for the
    /// characters that have one, `\u` with lowercase hex for other controls,
    /// DEL and everything beyond ASCII (a surrogate pair above U+FFFF).
    private mutating func escape(into decoded: inout [UInt8]) -> Bool {
        guard position + 1 < bytes.count else { return false }
        let kind = bytes[position + 1]
        position += 2
        switch kind {
        case UInt8(ascii: "\""): decoded.append(0x22)
        case UInt8(ascii: "\\"): decoded.append(0x5C)
        case UInt8(ascii: "b"): decoded.append(0x08)
        case UInt8(ascii: "f"): decoded.append(0x0C)
        case UInt8(ascii: "n"): decoded.append(0x0A)
        case UInt8(ascii: "r"): decoded.append(0x0D)
        case UInt8(ascii: "t"): decoded.append(0x09)
        case UInt8(ascii: "u"):
            guard let unit = hex4() else { return false }
            switch unit {
            case 0x08, 0x09, 0x0A, 0x0C, 0x0D, 0x20..<0x7F:
                return false
            case 0xD800..<0xDC00:
                guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u")
                else { return false }
                position += 2
                guard let low = hex4(), low >= 0xDC00, low < 0xE000,
                      let scalar = Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
                else { return false }
                decoded.appendUTF8(scalar)
            case 0xDC00..<0xE000:
                return false
            default:
                guard let scalar = Unicode.Scalar(unit) else { return false }
                decoded.appendUTF8(scalar)
            }
        default:
            return false
        }
        return true
    }

    /// Four lowercase hex digits.
    private mutating func hex4() -> UInt32? {
        guard position + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = value << 4 | UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = value << 4 | UInt32(byte - UInt8(ascii: "a") + 10)
            default: return nil
            }
            position += 1
        }
        return value
    }
}
