import ChatProtocol

/// The language of a room's `ctl` file, which `bucketchat chat`'s slash
/// commands speak too (`/react REF EMOJI` is the `ctl` line `react REF
/// EMOJI`): one line is one ``RoomAction``. Parsing never touches the room,
/// so a write whose lines do not all parse does nothing at all.
///
/// The fuzz target `fuzz-ctl` (Fuzz/) checks it: a parsed action's
/// ``line(of:)`` parses back to the same action.
public enum ControlCommand {
    public static let usage = "react REF EMOJI | edit REF TEXT | redact REF [REASON] | reply REF TEXT | invite USER [KEY] | kick USER [REASON] | ban USER [REASON] | join | leave | name TEXT | topic TEXT"

    /// Parses one line (without its newline); the error says what was wrong.
    ///
    /// `join` parses to a join without a display name: the mount adds its own.
    public static func parse(_ line: String) -> Result<RoomAction, ControlSyntaxError> {
        let trimmed = line.trimmingSpaces
        guard !trimmed.isEmpty else { return .failure(ControlSyntaxError("an empty line is not a command; use one of: \(usage)")) }
        let (verb, rest) = trimmed.splitFirstWord()
        func needs(_ shape: String) -> Result<RoomAction, ControlSyntaxError> {
            .failure(ControlSyntaxError("\"\(verb)\" needs \(shape); got \"\(trimmed)\""))
        }
        switch verb {
        case "react":
            let (ref, emoji) = rest.splitFirstWord()
            return ref.isEmpty || emoji.isEmpty ? needs("REF EMOJI") : .success(.react(reference: ref, reaction: emoji))
        case "edit":
            let (ref, text) = rest.splitFirstWord()
            return ref.isEmpty || text.isEmpty ? needs("REF TEXT") : .success(.edit(reference: ref, body: text))
        case "reply":
            let (ref, text) = rest.splitFirstWord()
            return ref.isEmpty || text.isEmpty ? needs("REF TEXT") : .success(.send(MessageContent(body: text), replyTo: ref))
        case "redact":
            let (ref, reason) = rest.splitFirstWord()
            return ref.isEmpty ? needs("REF [REASON]") : .success(.redact(reference: ref, reason: reason.isEmpty ? nil : reason))
        case "invite":
            let (user, key) = rest.splitFirstWord()
            // A key is one word: a tab inside it is a third field too (found by fuzz-ctl).
            guard !user.isEmpty, !key.unicodeScalars.contains(where: { $0 == " " || $0 == "\t" }) else { return needs("USER [KEY]") }
            guard !key.isEmpty else { return .success(.invite(userID: user, key: nil)) }
            guard let pinned = PublicKey(base64: key) else {
                return .failure(ControlSyntaxError("invite KEY must be base64 of a 32-byte public key (from `bucketchat keys show`)"))
            }
            return .success(.invite(userID: user, key: pinned))
        case "kick", "ban":
            let (user, reason) = rest.splitFirstWord()
            guard !user.isEmpty else { return needs("USER [REASON]") }
            let why = reason.isEmpty ? nil : reason
            return .success(verb == "kick" ? .kick(userID: user, reason: why) : .ban(userID: user, reason: why))
        case "join":
            return rest.isEmpty ? .success(.join(displayName: nil)) : needs("no arguments")
        case "leave":
            return rest.isEmpty ? .success(.leave) : needs("no arguments")
        case "name":
            return rest.isEmpty ? needs("TEXT") : .success(.setName(rest))
        case "topic":
            return rest.isEmpty ? needs("TEXT") : .success(.setTopic(rest))
        default:
            return .failure(ControlSyntaxError("unknown command \"\(verb)\"; use one of: \(usage)"))
        }
    }

    /// The action as one `ctl` line (without newline), in the form the usage
    /// shows: single spaces between the fields. Nil for what `ctl` cannot say
    /// (a plain message, an emote or file, a join with a display name,
    /// another device's key, typing): those come from other files or the
    /// command line.
    public static func line(of action: RoomAction) -> String? {
        func optional(_ text: String?) -> String { text.map { " " + $0 } ?? "" }
        switch action {
        case .react(let ref, let emoji): return "react \(ref) \(emoji)"
        case .edit(let ref, let text): return "edit \(ref) \(text)"
        case .redact(let ref, let reason): return "redact \(ref)" + optional(reason)
        case .send(let message, let ref?) where message == MessageContent(body: message.body): return "reply \(ref) \(message.body)"
        case .invite(let user, let key, nil): return "invite \(user)" + optional(key?.base64)
        case .kick(let user, let reason): return "kick \(user)" + optional(reason)
        case .ban(let user, let reason): return "ban \(user)" + optional(reason)
        case .join(nil): return "join"
        case .leave: return "leave"
        case .setName(let text): return "name \(text)"
        case .setTopic(let text): return "topic \(text)"
        case .send, .invite, .join, .addKey, .typing, .shareFile: return nil
        }
    }
}

/// Why a `ctl` line did not parse.
public struct ControlSyntaxError: Error, Equatable, Sendable {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
}

extension String {
    /// Without leading and trailing spaces, tabs and carriage returns.
    ///
    /// By scalar, not by Character: a space followed by a combining mark is
    /// one Character, and splitting by Characters made `kick USER \u{301}x`
    /// mean something else once written back (found by fuzz-ctl).
    package var trimmingSpaces: String {
        var s = Substring(self).unicodeScalars
        while let f = s.first, String.isBlank(f) { s.removeFirst() }
        while let l = s.last, String.isBlank(l) { s.removeLast() }
        return String(s)
    }

    /// The first space- or tab-separated word and the rest, trimmed.
    package func splitFirstWord() -> (String, String) {
        let text = trimmingSpaces
        guard let blank = text.unicodeScalars.firstIndex(where: { $0 == " " || $0 == "\t" }) else { return (text, "") }
        return (String(text.unicodeScalars[..<blank]), String(text.unicodeScalars[blank...]).trimmingSpaces)
    }

    static func isBlank(_ scalar: Unicode.Scalar) -> Bool { scalar == " " || scalar == "\t" || scalar == "\r" }
}
