import ChatProtocol

/// The human-readable report of `bucketchat verify`.
struct VerifySummary {
    let result: RoomVerification

    var text: String {
        var lines: [String] = []
        let state = result.state
        // A room named nowhere (legacy metadata has no name) shows no empty quotes.
        let title = state.name.flatMap { $0.isEmpty ? nil : " \"\(Terminal.safe($0))\"" } ?? ""
        lines.append("room \(result.roomID)\(title)\(result.metadata?.isLegacy == true ? " (legacy: no creator_key)" : "")")
        lines.append("  \(result.accepted.count) events accepted, \(result.rejected.count) rejected, \(result.alarms.count) alarms, \(result.warnings.count) warnings")
        let members = state.membership.sorted { $0.key < $1.key }
            .map { "\(Terminal.safe($0.key)) (\($0.value.rawValue))" }
        if !members.isEmpty { lines.append("  members: \(members.joined(separator: ", "))") }
        if result.metadata?.isPrivate == true {
            let sealed = state.epochs.byID.values.reduce(0) { $0 + $1.events }
            let held = state.epochs.byID.keys.filter { state.epochs.key(of: $0) != nil }.count
            lines.append("  private: \(state.epochs.byID.count) key epoch(s), \(sealed) encrypted event(s); "
                + (held == 0 ? "content not checked (give --key with a member's key file to open it)"
                    : "\(state.epochs.opened.count) opened with the key given (\(held) epoch(s) held), \(state.epochs.damaged.count) did not open"))
        }
        if !result.alarms.isEmpty {
            lines.append("alarms:")
            for a in result.alarms {
                lines.append("  \(a.kind.rawValue): \(Terminal.safe(a.detail))\(a.eventID.map { " [\(Terminal.safe($0))]" } ?? "")")
            }
        }
        if !result.rejected.isEmpty {
            lines.append("rejected:")
            for r in result.rejected {
                let place = r.objectKey + (r.line.map { ":\($0)" } ?? "")
                lines.append("  \(r.reason.rawValue): \(Terminal.safe(place)): \(Terminal.safe(r.detail))")
            }
        }
        for w in result.warnings { lines.append("warning: \(w.kind): \(Terminal.safe(w.detail))") }
        for k in result.skippedKeys { lines.append("skipped: \(Terminal.safe(k)) (not a log, metadata or attachment name)") }
        let unchecked = result.rejected.filter { $0.reason == .unknownKey }.count
        if unchecked > 0 {
            lines.append("hint: \(unchecked) event(s) could not be checked: this legacy room declares no keys; "
                + "trust each sender's key with `bucketchat keys trust SENDER_ID BASE64_KEY --room \(result.roomID)`, or "
                + "pass --trusted-keys FILE, a JSON object {\"sender_id\": \"base64 public key\"} holding the keys you trust")
        }
        lines.append(result.hasIntegrityProblem
            ? "result: INTEGRITY PROBLEM: see the alarms and rejections above"
            : "result: ok, no integrity problem found")
        return lines.joined(separator: "\n")
    }
}

/// Makes remote text safe to print: control characters (C0, DEL, C1) are escaped,
/// so a sender cannot move the cursor or forge lines on the reader's terminal.
enum Terminal {
    static func safe(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar.value < 0x20 || (scalar.value >= 0x7F && scalar.value <= 0x9F) {
                out += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
