import ChatProtocol

/// One event as one timeline line: five tab-separated fields,
/// `TIME  REF  SENDER  KIND  TEXT`, ending in a newline.
///
/// - TIME: UTC, ISO 8601 with milliseconds.
/// - REF: the event's short reference (``EventReference``).
/// - SENDER: the sender id, then ` (display name)` when one is known.
/// - KIND: `msg`, `emote`, `notice`, `file`, `reply`, `edit`, `redact`,
///   `react`, `join`, `key`, `leave`, `invite`, `kick`, `ban`, `name`,
///   `topic`, `keys` (a private room's key epoch), `encrypted` (an event
///   of a private room this device cannot open), or `event` for types this
///   version does not know; `+late` is
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
    ///
    /// In a private room, `epochs` (the room state's) gives what an
    /// encrypted event holds, when this reader could open it; otherwise the
    /// line says why it is closed (kind `encrypted`), never shows ciphertext.
    public static func render(_ event: VerifiedEvent, late: Bool = false, displayName: String? = nil, redacted: Bool = false,
                              epochs: RoomEpochs? = nil) -> String? {
        let e = event.event
        guard let (kind, text) = describe(e.content, of: event, redacted: redacted, epochs: epochs) else { return nil }
        var flags = kind
        if late { flags += "+late" }
        if event.marks.contains(.gap) { flags += "+gap" }
        if event.marks.contains(.fork) { flags += "+fork" }
        let sender = escape(e.senderID) + (displayName.map { " (\(escape($0)))" } ?? "")
        // No field is ever empty, so `cut -f5` and tab-splitting scripts always see five.
        let shown = text.isEmpty ? "[empty]" : escape(text, keepingJoiners: true)
        return "\(UTCTime(milliseconds: e.timestampMs).iso8601)\t\(EventReference.short(e.eventID))\t\(sender)\t\(flags)\t\(shown)\n"
    }

    /// The KIND and TEXT of a line for an event's content; nil for events never shown (typing).
    static func describe(_ content: EventContent, of event: VerifiedEvent, redacted: Bool, epochs: RoomEpochs?) -> (String, String)? {
        let e = event.event
        let (kind, text): (String, String)
        switch content {
        case .typing:
            return nil
        case .encrypted(let encrypted):
            if let opened = epochs?.opened[e.eventID] {
                return describe(opened.content, of: event, redacted: redacted, epochs: nil)
            }
            if let problem = epochs?.damaged[e.eventID] {
                (kind, text) = ("encrypted+alarm", "cannot be opened: \(problem)")
            } else {
                (kind, text) = ("encrypted", "no key for epoch \(EventReference.short(encrypted.epoch)): this device was not a member then, or the key has not arrived")
            }
        case .roomKey(let key):
            if let shared = key.epoch {
                (kind, text) = ("keys", "shared the key of epoch \(EventReference.short(shared)) with \(key.sealed.count) device(s)")
            } else {
                (kind, text) = ("keys", "started a new key epoch for \(key.sealed.count) device(s)" + (key.reason.map { " (\($0))" } ?? ""))
            }
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
                // A join naming no key is a plain join too (other clients' joins carry none).
                if m.revoke.isEmpty, m.publicKey == nil || event.signer == m.publicKey {
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
        return (kind, text)
    }

    static func messageText(_ m: MessageContent) -> String {
        guard let file = m.file else { return m.body }
        if let encryption = file.encryption {
            return "\(m.body) [\(file.name), \(encryption.size) bytes, \(file.mimetype), sha256 \(encryption.sha256), encrypted]"
        }
        return "\(m.body) [\(file.name), \(file.size) bytes, \(file.mimetype), sha256 \(file.sha256)]"
    }

    /// Escapes text so it stays on one line, carries no terminal controls
    /// and hides nothing: every scalar that is invisible or changes how
    /// other text is shown becomes `\u{HEX}`.
    ///
    /// Escaped: `\` (doubled), newline, tab and carriage return (`\n`, `\t`,
    /// `\r`); C0, DEL and C1 controls; Unicode line and paragraph separators;
    /// every format character (category Cf: bidi marks, overrides and
    /// isolates including U+061C, zero-width space, word joiner, BOM, soft
    /// hyphen, invisible operators, tag characters); the invisible Hangul
    /// fillers; and a variation selector that follows another one (a run of
    /// them smuggles hidden bytes behind one visible character).
    ///
    /// `keepingJoiners` (the TEXT field) keeps what real writing needs: the
    /// zero-width joiner and non-joiner (emoji sequences such as 👨‍👩‍👧,
    /// Persian and Indic scripts) and the tag characters of a subdivision
    /// flag (🏴 then at most 7 tags). In SENDER they are escaped too, so an id
    /// or name can never look like another one.
    public static func escape(_ text: String, keepingJoiners: Bool = false) -> String {
        // Most text is printable ASCII without backslashes: nothing to escape.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != 0x5C }) { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count)
        // Tag characters allowed after a black flag, counting down.
        var flagTags = 0
        var afterVariationSelector = false
        for scalar in text.unicodeScalars {
            let value = scalar.value
            let tags = flagTags
            flagTags = 0
            let afterSelector = afterVariationSelector
            afterVariationSelector = false
            if value < 0x80 {
                switch value {
                case 0x5C: out += "\\\\"
                case 0x0A: out += "\\n"
                case 0x09: out += "\\t"
                case 0x0D: out += "\\r"
                case 0x00..<0x20, 0x7F: appendEscaped(value, to: &out)
                default: out.unicodeScalars.append(scalar)
                }
                continue
            }
            if isVariationSelector(value) {
                afterVariationSelector = true
                if afterSelector { appendEscaped(value, to: &out) } else { out.unicodeScalars.append(scalar) }
                continue
            }
            if keepingJoiners {
                if value == 0x200C || value == 0x200D {
                    out.unicodeScalars.append(scalar)
                    continue
                }
                if value == 0x1F3F4 {
                    flagTags = 7
                    out.unicodeScalars.append(scalar)
                    continue
                }
                if tags > 0, (0xE0020...0xE007F).contains(value) {
                    flagTags = value == 0xE007F ? 0 : tags - 1
                    out.unicodeScalars.append(scalar)
                    continue
                }
            }
            if isHidden(scalar) { appendEscaped(value, to: &out) } else { out.unicodeScalars.append(scalar) }
        }
        return out
    }

    /// Non-ASCII scalars that are controls, break lines, or are invisible.
    static func isHidden(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x80...0x9F, 0x2028, 0x2029: return true
        // Hangul fillers: letters (Lo) that render as nothing, used to fake blank or lookalike names.
        case 0x115F, 0x1160, 0x3164, 0xFFA0: return true
        case ..<0xAD: return false
        default: return scalar.properties.generalCategory == .format
        }
    }

    static func isVariationSelector(_ value: UInt32) -> Bool {
        (0xFE00...0xFE0F).contains(value) || (0xE0100...0xE01EF).contains(value) || (0x180B...0x180D).contains(value) || value == 0x180F
    }

    static func appendEscaped(_ value: UInt32, to out: inout String) {
        out += "\\u{\(String(value, radix: 16))}"
    }
}
