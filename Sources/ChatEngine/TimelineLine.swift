import ChatProtocol

/// One event as one timeline line: five tab-separated fields,
/// `TIME  REF  SENDER  KIND  TEXT`, ending in a newline.
///
/// - TIME: UTC, ISO 8601 with milliseconds.
/// - REF: the event's short reference (``EventReference``).
/// - SENDER: the sender id, then ` (display name)` when one is known.
/// - KIND: `msg`, `emote`, `notice`, `file`, `reply`, `edit`, `redact`,
///   `react`, `join`, `key`, `leave`, `invite`, `kick`, `ban`, `name`,
///   `topic`, or `event` for types this version does not know; `+late` is
///   appended for an event that arrived after newer ones were shown, `+gap` /
///   `+fork` when a chain alarm touches it.
/// - TEXT: the body or a description.
///
/// Remote text is escaped so one event is always one line and nothing a
/// sender writes can reach the reader's terminal as a control: `\` becomes
/// `\\`, newline `\n`, tab `\t`, carriage return `\r`, and every other
/// control (C0, DEL, C1), Unicode line or paragraph separator, or
/// bidirectional override/isolate `\u{HEX}`.
public enum TimelineLine {
    /// Renders an event. `displayNames` maps sender ids to names; `redacted`
    /// tells whether the event's content is hidden by a redaction.
    public static func render(_ event: VerifiedEvent, late: Bool = false, displayName: String? = nil, redacted: Bool = false) -> String? {
        let e = event.event
        let (kind, text): (String, String)
        switch e.content {
        case .typing:
            return nil
        case .message(let m):
            let base: String
            switch m.msgtype {
            case "m.emote": base = "emote"
            case "m.notice": base = "notice"
            case "m.file": base = "file"
            default: base = "msg"
            }
            if redacted {
                (kind, text) = (e.parentEventID == nil ? base : "reply", "[redacted]")
            } else if let parent = e.parentEventID {
                (kind, text) = ("reply", "\(EventReference.short(parent)) \(messageText(m))")
            } else {
                (kind, text) = (base, messageText(m))
            }
        case .edit(let target, let content):
            (kind, text) = ("edit", "\(EventReference.short(target)) \(redacted ? "[redacted]" : content.body)")
        case .redaction(let target, let reason):
            (kind, text) = ("redact", EventReference.short(target) + (reason.map { " \($0)" } ?? ""))
        case .reaction(let target, let reaction):
            (kind, text) = ("react", "\(EventReference.short(target)) \(redacted ? "[redacted]" : reaction)")
        case .member(let m):
            switch m.membership {
            case .join:
                if m.revoke.isEmpty, event.signer == m.publicKey {
                    (kind, text) = ("join", "joined" + (m.deviceID.map { " from device \($0)" } ?? ""))
                } else {
                    let revoked = m.revoke.isEmpty ? "" : ", revoked \(m.revoke.count) key(s)"
                    (kind, text) = ("key", "added device key \(m.publicKey?.base64 ?? "?")\(revoked)")
                }
            case .leave: (kind, text) = ("leave", "left")
            case .invite: (kind, text) = ("invite", "invited \(m.userID ?? "?")")
            case .kick: (kind, text) = ("kick", "removed \(m.userID ?? "?")" + (m.reason.map { ": \($0)" } ?? ""))
            case .ban: (kind, text) = ("ban", "banned \(m.userID ?? "?")" + (m.reason.map { ": \($0)" } ?? ""))
            }
        case .name(let name): (kind, text) = ("name", name)
        case .topic(let topic): (kind, text) = ("topic", topic)
        case .unknown: (kind, text) = ("event", e.type)
        }
        var flags = kind
        if late { flags += "+late" }
        if event.marks.contains(.gap) { flags += "+gap" }
        if event.marks.contains(.fork) { flags += "+fork" }
        let sender = escape(e.senderID) + (displayName.map { " (\(escape($0)))" } ?? "")
        return "\(UTCTime(milliseconds: e.timestampMs).iso8601)\t\(EventReference.short(e.eventID))\t\(sender)\t\(flags)\t\(escape(text))\n"
    }

    static func messageText(_ m: MessageContent) -> String {
        guard let file = m.file else { return m.body }
        return "\(m.body) [\(file.name), \(file.size) bytes, \(file.mimetype), sha256 \(file.sha256)]"
    }

    /// Escapes text so it stays on one line and carries no terminal controls.
    public static func escape(_ text: String) -> String {
        // Most text is printable ASCII without backslashes: nothing to escape.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != 0x5C }) { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x5C: out += "\\\\"
            case 0x0A: out += "\\n"
            case 0x09: out += "\\t"
            case 0x0D: out += "\\r"
            // U+2028/U+2029 (line and paragraph separators) end a line for
            // editors, JavaScript and Swift's own `isNewline`; found by fuzzing.
            case 0x00..<0x20, 0x7F...0x9F, 0x200E, 0x200F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069:
                out += "\\u{\(String(scalar.value, radix: 16))}"
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
