import ChatProtocol

/// Short, stable references to events, as timelines print them and `ctl`,
/// `react` or `edit` accept them.
///
/// A reference is the first 12 letters and digits of the id's last part (for
/// ids this profile generates: the first 12 hex digits of the UUID). A full
/// event id, or any unique prefix of a reference or an id, is accepted too.
public enum EventReference {
    public static let length = 12

    /// The short reference of an event id.
    public static func short(_ eventID: String) -> String {
        let last = EventID.uuidPart(of: eventID) ?? Substring(eventID)
        // A byte scan: every timeline line needs one, and ASCII letters and
        // digits are single bytes in UTF-8, so no other byte can be one.
        var out: [UInt8] = []
        out.reserveCapacity(length)
        for byte in last.utf8 where out.count < length {
            switch byte {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: out.append(byte)
            default: continue
            }
        }
        guard out.isEmpty else { return String(decoding: out, as: UTF8.self) }
        // A sender chooses its ids: one with no letter or digit in its last
        // part (`room::time::---`) still gets a REF, so the timeline's REF
        // field is never empty and `threads/REF` is a real name.
        return String(SHA256.hexDigest(Array(eventID.utf8)).prefix(length))
    }

    /// The id of the one event `text` refers to among `eventIDs`.
    public static func resolve(_ text: String, among eventIDs: [String], roomID: String) throws(EngineError) -> String {
        let wanted = text.trimmingWhitespace
        guard !wanted.isEmpty else { throw EngineError(.notFound, "An empty event reference names no event of room \(roomID).") }
        if eventIDs.contains(wanted) { return wanted }
        let matches = eventIDs.filter { short($0).hasPrefix(wanted) || $0.hasPrefix(wanted) }
        switch matches.count {
        case 1: return matches[0]
        case 0: throw EngineError(.notFound, "No event of room \(roomID) matches \"\(wanted)\"; use the REF a timeline line shows.")
        default:
            throw EngineError(.ambiguous, "\"\(wanted)\" matches \(matches.count) events of room \(roomID); give more characters of the REF.")
        }
    }
}

extension String {
    var trimmingWhitespace: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
