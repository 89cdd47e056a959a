/// A strict JSON parser for the profile of PROTOCOL.md §3.
///
/// Accepts what Python's `json.loads` accepts, except what the profile forbids,
/// which it reports as ``JSONParseError/Kind/nonCanonical``: non-integer or
/// out-of-range numbers (`NaN` and `Infinity` included), duplicate keys,
/// invalid UTF-8 and lone surrogates. It also bounds nesting depth and input
/// size so hostile input cannot exhaust the stack or memory.
public struct JSONParser {
    /// The largest integer magnitude the profile allows: 2^53 - 1.
    public static let maxSafeInteger: Int64 = 9_007_199_254_740_991
    /// Default nesting limit: a value nested deeper than this is rejected.
    public static let defaultMaxDepth = 64
    /// Default size limit of one input: 64 KiB, a log line's limit.
    public static let defaultMaxBytes = 65_536

    public var maxDepth: Int
    public var maxBytes: Int

    public init(maxDepth: Int = JSONParser.defaultMaxDepth, maxBytes: Int = JSONParser.defaultMaxBytes) {
        self.maxDepth = maxDepth
        self.maxBytes = maxBytes
    }

    /// Parses one complete JSON text.
    public func parse<Bytes: Collection>(_ bytes: Bytes) throws(JSONParseError) -> JSONValue where Bytes.Element == UInt8 {
        if let result = bytes.withContiguousStorageIfAvailable({ buffer in
            Result { () throws(JSONParseError) -> JSONValue in try parse(buffer: buffer) }
        }) {
            return try result.get()
        }
        let copy = Array(bytes)
        return try copy.withUnsafeBufferPointer { buffer throws(JSONParseError) in try parse(buffer: buffer) }
    }

    /// Parses one complete JSON text held in a buffer.
    public func parse(buffer: UnsafeBufferPointer<UInt8>) throws(JSONParseError) -> JSONValue {
        guard buffer.count <= maxBytes else {
            throw JSONParseError(kind: .malformed, message: "input is \(buffer.count) bytes, over the limit of \(maxBytes)", offset: maxBytes)
        }
        var cursor = Cursor(bytes: buffer, maxDepth: maxDepth)
        cursor.skipWhitespace()
        let value = try cursor.parseValue(depth: 0)
        cursor.skipWhitespace()
        guard cursor.position == buffer.count else {
            throw cursor.malformed("extra data after the JSON value")
        }
        return value
    }
}

extension Result where Failure == JSONParseError {
    fileprivate init(_ body: () throws(JSONParseError) -> Success) {
        do { self = .success(try body()) } catch { self = .failure(error) }
    }
}

/// The parser's position in its input.
private struct Cursor {
    let bytes: UnsafeBufferPointer<UInt8>
    let maxDepth: Int
    var position = 0

    init(bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    func malformed(_ message: String) -> JSONParseError {
        JSONParseError(kind: .malformed, message: message, offset: position)
    }

    func nonCanonical(_ message: String) -> JSONParseError {
        JSONParseError(kind: .nonCanonical, message: message, offset: position)
    }

    var atEnd: Bool { position >= bytes.count }

    var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let count = literal.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw malformed("unexpected end of input") }
        let matches = literal.withUTF8Buffer { expected in
            for i in 0..<count where bytes[position + i] != expected[i] { return false }
            return true
        }
        guard matches else { throw malformed("invalid literal") }
        position += count
    }

    mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        guard let byte = current else { throw malformed("unexpected end of input, expecting a value") }
        switch byte {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "N"):
            try expectLiteral("NaN")
            throw nonCanonical("NaN is not an integer")
        case UInt8(ascii: "I"):
            try expectLiteral("Infinity")
            throw nonCanonical("Infinity is not an integer")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .int(try parseNumber())
        default:
            throw malformed("unexpected character, expecting a value")
        }
    }

    mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= maxDepth else { throw malformed("nesting deeper than \(maxDepth)") }
        position += 1
        var members: [JSONObject.Member] = []
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            position += 1
            return .object(JSONObject(sortedMembers: []))
        }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw malformed("expecting a property name in double quotes") }
            let key = try parseString()
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw malformed("expecting ':' after a property name") }
            position += 1
            skipWhitespace()
            let value = try parseValue(depth: depth)
            members.append(JSONObject.Member(key: key, value: value))
            skipWhitespace()
            guard let next = current else { throw malformed("unexpected end of input in an object") }
            position += 1
            if next == UInt8(ascii: ",") { continue }
            if next == UInt8(ascii: "}") { break }
            position -= 1
            throw malformed("expecting ',' or '}' in an object")
        }
        return .object(JSONObject(sortedMembers: try sortedUnique(members)))
    }

    /// Sorts members by key bytes (code point order) and rejects duplicates.
    func sortedUnique(_ members: [JSONObject.Member]) throws(JSONParseError) -> [JSONObject.Member] {
        var sorted = members
        if sorted.count <= 16 {
            // Insertion sort: objects in events are small and often nearly sorted.
            var i = 1
            while i < sorted.count {
                let item = sorted[i]
                var j = i - 1
                while j >= 0 && item.key.precedesInBytes(sorted[j].key) {
                    sorted[j + 1] = sorted[j]
                    j -= 1
                }
                sorted[j + 1] = item
                i += 1
            }
        } else {
            sorted.sort { $0.key.precedesInBytes($1.key) }
        }
        var i = 1
        while i < sorted.count {
            if sorted[i].key.hasSameBytes(as: sorted[i - 1].key) {
                throw nonCanonical("duplicate key \"\(sorted[i].key)\"")
            }
            i += 1
        }
        return sorted
    }

    mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= maxDepth else { throw malformed("nesting deeper than \(maxDepth)") }
        position += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            position += 1
            return .array([])
        }
        while true {
            skipWhitespace()
            items.append(try parseValue(depth: depth))
            skipWhitespace()
            guard let next = current else { throw malformed("unexpected end of input in an array") }
            position += 1
            if next == UInt8(ascii: ",") { continue }
            if next == UInt8(ascii: "]") { break }
            position -= 1
            throw malformed("expecting ',' or ']' in an array")
        }
        return .array(items)
    }

    mutating func parseNumber() throws(JSONParseError) -> Int64 {
        let start = position
        var negative = false
        if current == UInt8(ascii: "-") {
            negative = true
            position += 1
            if current == UInt8(ascii: "I") {
                try expectLiteral("Infinity")
                throw nonCanonical("-Infinity is not an integer")
            }
        }
        guard let first = current, first >= UInt8(ascii: "0"), first <= UInt8(ascii: "9") else {
            throw malformed("expecting a digit")
        }
        var magnitude: UInt64 = 0
        var overflow = false
        if first == UInt8(ascii: "0") {
            position += 1
        } else {
            while let digit = current, digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") {
                if !overflow {
                    magnitude = magnitude * 10 + UInt64(digit - UInt8(ascii: "0"))
                    if magnitude > UInt64(JSONParser.maxSafeInteger) { overflow = true }
                }
                position += 1
            }
        }
        var isInteger = true
        if current == UInt8(ascii: ".") {
            position += 1
            try skipDigits(atLeastOne: "a digit after '.'")
            isInteger = false
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            position += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
            try skipDigits(atLeastOne: "a digit in the exponent")
            isInteger = false
        }
        guard isInteger else {
            position = start
            throw nonCanonical("number is not an integer")
        }
        guard !overflow else {
            position = start
            throw nonCanonical("integer outside ±(2^53-1)")
        }
        let value = Int64(magnitude)
        return negative ? -value : value
    }

    mutating func skipDigits(atLeastOne what: String) throws(JSONParseError) {
        var count = 0
        while let digit = current, digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") {
            position += 1
            count += 1
        }
        guard count > 0 else { throw malformed("expecting \(what)") }
    }

    /// Parses a string starting at its opening quote.
    mutating func parseString() throws(JSONParseError) -> String {
        position += 1
        let start = position
        // Fast path: printable ASCII with no escapes, the common case.
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: bytes[start..<position])
                position += 1
                return String(decoding: slice, as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 || byte >= 0x80 { break }
            position += 1
        }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(position - start + 16)
        buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<position]))
        while true {
            guard position < bytes.count else { throw malformed("unterminated string") }
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                return String(decoding: buffer, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try parseEscape(into: &buffer)
            case 0x00..<0x20:
                throw malformed("invalid control character in a string")
            case 0x20..<0x80:
                buffer.append(byte)
                position += 1
            default:
                try copyUTF8Sequence(into: &buffer)
            }
        }
    }

    /// Copies one multi-byte UTF-8 sequence after checking it is valid
    /// (no overlong forms, no encoded surrogates, nothing above U+10FFFF).
    mutating func copyUTF8Sequence(into buffer: inout [UInt8]) throws(JSONParseError) {
        let lead = bytes[position]
        let length: Int
        var secondLow: UInt8 = 0x80
        var secondHigh: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; secondLow = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; secondHigh = 0x9F
        case 0xF0: length = 4; secondLow = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; secondHigh = 0x8F
        default: throw nonCanonical("invalid UTF-8")
        }
        guard position + length <= bytes.count else { throw nonCanonical("truncated UTF-8 sequence") }
        let second = bytes[position + 1]
        guard second >= secondLow, second <= secondHigh else { throw nonCanonical("invalid UTF-8") }
        var i = 2
        while i < length {
            guard bytes[position + i] & 0xC0 == 0x80 else { throw nonCanonical("invalid UTF-8") }
            i += 1
        }
        buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[position..<(position + length)]))
        position += length
    }

    mutating func parseEscape(into buffer: inout [UInt8]) throws(JSONParseError) {
        position += 1
        guard let escape = current else { throw malformed("unterminated escape") }
        position += 1
        switch escape {
        case UInt8(ascii: "\""): buffer.append(0x22)
        case UInt8(ascii: "\\"): buffer.append(0x5C)
        case UInt8(ascii: "/"): buffer.append(0x2F)
        case UInt8(ascii: "b"): buffer.append(0x08)
        case UInt8(ascii: "f"): buffer.append(0x0C)
        case UInt8(ascii: "n"): buffer.append(0x0A)
        case UInt8(ascii: "r"): buffer.append(0x0D)
        case UInt8(ascii: "t"): buffer.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try parseHex4()
            if scalar >= 0xD800 && scalar <= 0xDBFF {
                guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                    throw nonCanonical("lone surrogate \\u\(String(scalar, radix: 16))")
                }
                position += 2
                let low = try parseHex4()
                guard low >= 0xDC00 && low <= 0xDFFF else {
                    throw nonCanonical("lone surrogate \\u\(String(scalar, radix: 16))")
                }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if scalar >= 0xDC00 && scalar <= 0xDFFF {
                throw nonCanonical("lone surrogate \\u\(String(scalar, radix: 16))")
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw nonCanonical("invalid code point") }
            buffer.appendUTF8(unicode)
        default:
            position -= 1
            throw malformed("invalid escape")
        }
    }

    mutating func parseHex4() throws(JSONParseError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw malformed("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw malformed("invalid \\u escape")
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }
}
