/// A validated object key, relative to a store's root or prefix.
///
/// Keys are `/`-separated segments. They never start with `/`, never contain
/// empty, `.` or `..` segments, and hold no control characters, so a key means
/// the same object on every backend and can never escape a local folder.
public struct ObjectKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// S3 and GCS both cap object names at 1,024 UTF-8 bytes.
    public static let maximumLength = 1024

    public let rawValue: String

    public init(_ rawValue: String) throws(StoreError) {
        try ObjectKey.validate(rawValue, allowTrailingSlash: false, what: "key")
        self.rawValue = rawValue
    }

    public var description: String { rawValue }

    /// The key's segments, in order.
    public var segments: [Substring] { rawValue.split(separator: "/", omittingEmptySubsequences: false) }

    /// Returns the key with `prefix` (empty or ending in `/`) placed in front.
    public func prefixed(by prefix: String) -> String { prefix + rawValue }

    public static func < (lhs: ObjectKey, rhs: ObjectKey) -> Bool {
        // Byte order, as S3 and GCS list.
        lhs.rawValue.utf8.lexicographicallyPrecedes(rhs.rawValue.utf8)
    }

    /// Checks a listing prefix: like a key, but it may be empty, end in `/`
    /// or stop partway through a segment.
    public static func validatePrefix(_ prefix: String) throws(StoreError) {
        if prefix.isEmpty { return }
        try validate(prefix, allowTrailingSlash: true, what: "prefix")
    }

    static func validate(_ text: String, allowTrailingSlash: Bool, what: String) throws(StoreError) {
        func reject(_ why: String) -> StoreError {
            StoreError(.invalidKey, "The \(what) \(quoted(text)) is not a valid object \(what): \(why). Use /-separated names without empty, '.' or '..' segments or control characters.")
        }
        if text.isEmpty { throw reject("it is empty") }
        if text.utf8.count > maximumLength { throw reject("it is longer than \(maximumLength) bytes") }
        if text.hasPrefix("/") { throw reject("it starts with '/'") }
        if text.unicodeScalars.contains(where: { isControl($0) }) { throw reject("it contains a control character") }
        var segments = text.split(separator: "/", omittingEmptySubsequences: false)
        if allowTrailingSlash, segments.count > 1, segments.last == "" { segments.removeLast() }
        for segment in segments {
            if segment.isEmpty { throw reject("it has an empty segment ('//' or a trailing '/')") }
            if segment == "." || segment == ".." { throw reject("it has a '\(segment)' segment") }
        }
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    static func quoted(_ text: String) -> String {
        // Show control characters escaped, so the message itself stays readable.
        "\"" + text.unicodeScalars.map { isControl($0) ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined() + "\""
    }
}
