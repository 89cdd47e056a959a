/// One line of a room's `ctl` file, parsed. Parsing never touches the room,
/// so a write whose lines do not all parse does nothing at all.
///
/// Public so the fuzz target `fuzz-ctl` (Fuzz/) can reach it: a parsed
/// command's ``line`` parses back to the same command.
public enum ControlCommand: Equatable, Sendable {
    case react(ref: String, emoji: String)
    case edit(ref: String, text: String)
    case redact(ref: String, reason: String?)
    case reply(ref: String, text: String)
    case invite(user: String, key: String?)
    case kick(user: String, reason: String?)
    case ban(user: String, reason: String?)
    case join
    case leave
    case name(String)
    case topic(String)

    public static let usage = "react REF EMOJI | edit REF TEXT | redact REF [REASON] | reply REF TEXT | invite USER [KEY] | kick USER [REASON] | ban USER [REASON] | join | leave | name TEXT | topic TEXT"

    /// Parses one line (without its newline); the error says what was wrong.
    public static func parse(_ line: String) -> Result<ControlCommand, ControlSyntaxError> {
        let trimmed = line.trimmingSpaces
        guard !trimmed.isEmpty else { return .failure(ControlSyntaxError("an empty line is not a command; use one of: \(usage)")) }
        let (verb, rest) = trimmed.splitFirstWord()
        func needs(_ shape: String) -> Result<ControlCommand, ControlSyntaxError> {
            .failure(ControlSyntaxError("\"\(verb)\" needs \(shape); got \"\(trimmed)\""))
        }
        switch verb {
        case "react":
            let (ref, emoji) = rest.splitFirstWord()
            return ref.isEmpty || emoji.isEmpty ? needs("REF EMOJI") : .success(.react(ref: ref, emoji: emoji))
        case "edit":
            let (ref, text) = rest.splitFirstWord()
            return ref.isEmpty || text.isEmpty ? needs("REF TEXT") : .success(.edit(ref: ref, text: text))
        case "reply":
            let (ref, text) = rest.splitFirstWord()
            return ref.isEmpty || text.isEmpty ? needs("REF TEXT") : .success(.reply(ref: ref, text: text))
        case "redact":
            let (ref, reason) = rest.splitFirstWord()
            return ref.isEmpty ? needs("REF [REASON]") : .success(.redact(ref: ref, reason: reason.isEmpty ? nil : reason))
        case "invite":
            let (user, key) = rest.splitFirstWord()
            // A key is one word: a tab inside it is a third field too (found by fuzz-ctl).
            guard !user.isEmpty, !key.unicodeScalars.contains(where: { $0 == " " || $0 == "\t" }) else { return needs("USER [KEY]") }
            return .success(.invite(user: user, key: key.isEmpty ? nil : key))
        case "kick", "ban":
            let (user, reason) = rest.splitFirstWord()
            guard !user.isEmpty else { return needs("USER [REASON]") }
            return .success(verb == "kick" ? .kick(user: user, reason: reason.isEmpty ? nil : reason)
                                           : .ban(user: user, reason: reason.isEmpty ? nil : reason))
        case "join":
            return rest.isEmpty ? .success(.join) : needs("no arguments")
        case "leave":
            return rest.isEmpty ? .success(.leave) : needs("no arguments")
        case "name":
            return rest.isEmpty ? needs("TEXT") : .success(.name(rest))
        case "topic":
            return rest.isEmpty ? needs("TEXT") : .success(.topic(rest))
        default:
            return .failure(ControlSyntaxError("unknown command \"\(verb)\"; use one of: \(usage)"))
        }
    }

    /// The command as one `ctl` line (without newline), in the form the
    /// usage shows: single spaces between the fields.
    public var line: String {
        func optional(_ text: String?) -> String { text.map { " " + $0 } ?? "" }
        switch self {
        case .react(let ref, let emoji): return "react \(ref) \(emoji)"
        case .edit(let ref, let text): return "edit \(ref) \(text)"
        case .redact(let ref, let reason): return "redact \(ref)" + optional(reason)
        case .reply(let ref, let text): return "reply \(ref) \(text)"
        case .invite(let user, let key): return "invite \(user)" + optional(key)
        case .kick(let user, let reason): return "kick \(user)" + optional(reason)
        case .ban(let user, let reason): return "ban \(user)" + optional(reason)
        case .join: return "join"
        case .leave: return "leave"
        case .name(let text): return "name \(text)"
        case .topic(let text): return "topic \(text)"
        }
    }
}

/// Why a `ctl` line did not parse.
public struct ControlSyntaxError: Error, Equatable, Sendable {
    public let reason: String
    init(_ reason: String) { self.reason = reason }
}

extension String {
    /// Without leading and trailing spaces, tabs and carriage returns.
    ///
    /// By scalar, not by Character: a space followed by a combining mark is
    /// one Character, and splitting by Characters made `kick USER \u{301}x`
    /// mean something else once written back (found by fuzz-ctl).
    var trimmingSpaces: String {
        var s = Substring(self).unicodeScalars
        while let f = s.first, String.isBlank(f) { s.removeFirst() }
        while let l = s.last, String.isBlank(l) { s.removeLast() }
        return String(s)
    }

    /// The first space- or tab-separated word and the rest, trimmed.
    func splitFirstWord() -> (String, String) {
        let text = trimmingSpaces
        guard let blank = text.unicodeScalars.firstIndex(where: { $0 == " " || $0 == "\t" }) else { return (text, "") }
        return (String(text.unicodeScalars[..<blank]), String(text.unicodeScalars[blank...]).trimmingSpaces)
    }

    static func isBlank(_ scalar: Unicode.Scalar) -> Bool { scalar == " " || scalar == "\t" || scalar == "\r" }
}
