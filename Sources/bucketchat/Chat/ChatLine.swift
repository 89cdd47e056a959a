#if canImport(Glibc)
import Glibc
#endif
import ChatEngine
import ChatProtocol
import Foundation
import TerminalUI

/// One line of the chat's timeline: an event as the timeline file shows it
/// (``TimelineLine``: the same fields, the same neutralised text), styled
/// for the screen; or an alert, or something the chat says.
struct ChatLine {
    enum Kind {
        /// A verified event.
        case event
        /// This device's event, journaled and not read back from the store yet.
        case unconfirmed
        /// An integrity alarm or a rejected line: never shown as a message.
        case alert
        /// What a command answered.
        case info
        /// A command that failed.
        case error
    }

    let kind: Kind
    var eventID: String?
    /// The event, kept to show it again once redacted.
    var event: VerifiedEvent?
    /// The line in the timeline file's format (line mode prints it), without its newline.
    var plain: String
    var styled: StyledText
    /// A message from someone else that names this user.
    var mentions = false
    /// A message from someone else (it counts as unread).
    var isMessage = false

    static let timeStyle = Style(dim: true)
    static let refStyle = Style(foreground: .blue, dim: true)
    static let senderColors: [Color] = [.cyan, .magenta, .yellow, .blue, .green, .red]

    /// An event's line; nil for what the timeline does not show (typing).
    /// `me` names this user, for mentions.
    init?(_ verified: VerifiedEvent, kind: Kind = .event, late: Bool = false, state: RoomState?, me: ChatIdentity) {
        let event = verified.event
        let name = state?.members[event.senderID]?.displayName ?? (event.senderID == me.senderID ? me.displayName : nil)
        let redacted = state?.isRedacted(event.eventID) ?? false
        guard let rendered = TimelineLine.render(verified, late: late, displayName: name, redacted: redacted, epochs: state?.epochs) else { return nil }
        let fields = rendered.dropLast().split(separator: "\t", maxSplits: 4, omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 5 else { return nil }
        let (ref, flags, text) = (fields[1], fields[3], fields[4])
        let verb = String(flags.prefix { $0 != "+" })
        let marks = flags.dropFirst(verb.count)
        self.kind = kind
        eventID = event.eventID
        self.event = verified
        plain = String(rendered.dropLast())
        let mine = event.senderID == me.senderID
        isMessage = !mine && ["msg", "emote", "notice", "file", "reply"].contains(verb)
        mentions = isMessage && !redacted && me.isNamed(in: text)

        let pending = kind == .unconfirmed
        let senderStyle = Style(foreground: pending ? nil : ChatLine.color(of: event.senderID), bold: !pending, dim: pending)
        let textStyle = mentions ? Style(foreground: .yellow, bold: true) : Style(dim: pending || verb == "notice")
        var line = StyledText(ChatLine.clock(event.timestampMs) + " ", ChatLine.timeStyle)
        line.append(ref + " ", ChatLine.refStyle)
        let sender = ChatLine.shortSender(fields[2], id: event.senderID)
        switch verb {
        case "msg", "notice":
            line.append(sender, senderStyle)
            line.append(": ", Style(dim: true))
        case "emote":
            line.append("* ", senderStyle)
            line.append(sender + " ", senderStyle)
        default:
            line.append(sender + " ", senderStyle)
            line.append(verb + " ", Style(dim: true))
        }
        if !marks.isEmpty { line.append("[\(marks.dropFirst().replacingOccurrences(of: "+", with: ","))] ", Style(foreground: .red, bold: true)) }
        line.append(text, textStyle)
        if pending { line.append(" (sending)", Style(dim: true)) }
        styled = line
    }

    init(kind: Kind, text: String) {
        self.kind = kind
        plain = text
        switch kind {
        case .alert: styled = StyledText("! " + text, Style(foreground: .white, background: .red, bold: true))
        case .error: styled = StyledText("! " + text, Style(foreground: .red, bold: true))
        default: styled = StyledText("-- " + text, Style(foreground: .cyan))
        }
    }

    /// The same event's line again, now that the room's state has changed (a redaction).
    func again(state: RoomState, me: ChatIdentity) -> ChatLine {
        guard let event, let line = ChatLine(event, kind: kind, state: state, me: me) else { return self }
        return line
    }

    /// The sender as the screen shows it: `user:alice (alice)` is `alice`,
    /// since the name is the id's own; any other name shows beside its id,
    /// so nobody can pass for somebody else.
    static func shortSender(_ field: String, id: String) -> String {
        guard id.hasPrefix("user:"), field == "\(id) (\(id.dropFirst(5)))" else { return field }
        return String(id.dropFirst(5))
    }

    static func color(of senderID: String) -> Color {
        var hash: UInt32 = 2166136261
        for byte in senderID.utf8 { hash = (hash ^ UInt32(byte)) &* 16777619 }
        return senderColors[Int(hash % UInt32(senderColors.count))]
    }

    /// Local time of day, HH:MM.
    static func clock(_ milliseconds: Int64) -> String {
        var seconds = time_t(milliseconds / 1000)
        var parts = tm()
        localtime_r(&seconds, &parts)
        return format2(Int(parts.tm_hour)) + ":" + format2(Int(parts.tm_min))
    }

    static func format2(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}

/// Who the chat runs as: for mentions, and to show its own events at once.
struct ChatIdentity: Sendable {
    let senderID: String
    let displayName: String?
    let key: PublicKey

    /// The words that name this user: the sender id, the name in `user:NAME`, the display name.
    var names: [String] {
        var names = [senderID]
        if senderID.hasPrefix("user:") { names.append(String(senderID.dropFirst(5))) }
        if let displayName { names.append(displayName) }
        return Array(Set(names.map { $0.lowercased() }.filter { $0.count >= 2 }))
    }

    /// Whether `text` names this user as a word of its own (`@alice`, `alice:`, not `malice`).
    func isNamed(in text: String) -> Bool {
        let lower = text.lowercased()
        for name in names {
            var searchStart = lower.startIndex
            while let range = lower.range(of: name, range: searchStart..<lower.endIndex) {
                let before = range.lowerBound == lower.startIndex ? nil : lower[lower.index(before: range.lowerBound)]
                let after = range.upperBound == lower.endIndex ? nil : lower[range.upperBound]
                if !(before?.isLetter ?? false) && !(before?.isNumber ?? false) && !(after?.isLetter ?? false) && !(after?.isNumber ?? false) {
                    return true
                }
                searchStart = range.upperBound
            }
        }
        return false
    }
}
