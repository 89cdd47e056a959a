/// The rules a shared file's description must meet (PROTOCOL.md §7, and
/// docs/protocol-decisions.md "Attachments").
///
/// A name is shown by every face and becomes a file name in the mount's
/// `files/` folder and in downloads, so anything that could climb out of a
/// folder, hide its real extension or break a terminal line is refused
/// outright: the event is a `schema` rejection, like any malformed content.
extension MessageContent.FileInfo {
    /// The largest size a file may declare: the largest integer the profile's JSON allows.
    public static let maxSize: Int64 = (1 << 53) - 1
    /// The longest name, in UTF-8 bytes: what common filesystems take for one component.
    public static let maxNameBytes = 255

    /// Why `name` is not acceptable as a shared file's name, or nil when it is.
    ///
    /// Refused: empty, over 255 UTF-8 bytes, `.` and `..`, `/`, `\`, any
    /// control character (C0, DEL, C1: NUL and newlines included) and the
    /// bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069),
    /// which can make `evil‮txt.exe` read as `evilexe.txt`.
    public static func nameProblem(_ name: String) -> String? {
        let bytes = name.utf8.count
        if bytes == 0 { return "must not be empty" }
        if bytes > maxNameBytes { return "is \(bytes) bytes long; at most \(maxNameBytes) UTF-8 bytes are allowed" }
        if name.utf8.elementsEqual(".".utf8) || name.utf8.elementsEqual("..".utf8) { return "must not be \".\" or \"..\"" }
        for scalar in name.unicodeScalars {
            switch scalar.value {
            case 0x2F, 0x5C: return "must be a single path component (no / or \\)"
            case 0x00...0x1F, 0x7F...0x9F: return "must not contain control characters (U+\(hex(scalar.value)))"
            case 0x202A...0x202E, 0x2066...0x2069: return "must not contain bidirectional overrides or isolates (U+\(hex(scalar.value)))"
            default: continue
            }
        }
        return nil
    }

    /// Why `mimetype` is not a `type/subtype` media type, or nil when it is.
    ///
    /// Both parts are RFC 6838 restricted names (a letter or digit, then up to
    /// 126 of letters, digits and `!#$&-^_.+`), in any case. Parameters
    /// (`; charset=...`) are refused: a shared file is bytes, and a parameter
    /// is one more place for text that faces would have to render safely.
    public static func mimetypeProblem(_ mimetype: String) -> String? {
        let parts = mimetype.utf8.split(separator: 0x2F, omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy(isRestrictedName) else {
            return "must be a media type type/subtype of letters, digits and !#$&-^_.+ without parameters, like text/plain"
        }
        return nil
    }

    /// Whether `text` is 64 lowercase hex digits, the form of an attachment's name.
    public static func isSHA256Hex(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    /// The first problem with this description (name or media type), or nil when it is valid.
    public var problem: String? {
        if let problem = Self.nameProblem(name) { return "the name \(problem)" }
        if let problem = Self.mimetypeProblem(mimetype) { return "the media type \(problem)" }
        if size < 0 || size > Self.maxSize { return "the size must be from 0 to 2^53-1" }
        if !Self.isSHA256Hex(sha256) { return "the sha256 must be 64 lowercase hex digits" }
        return nil
    }

    private static func isRestrictedName(_ part: Substring.UTF8View) -> Bool {
        guard let first = part.first, (1...127).contains(part.count), isAlphanumeric(first) else { return false }
        return part.allSatisfy { isAlphanumeric($0) || "!#$&-^_.+".utf8.contains($0) }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
