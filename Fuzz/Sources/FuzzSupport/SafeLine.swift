/// The promise of docs/timeline-format.md, checked on rendered output: one
/// event is exactly one line of five tab-separated fields, and nothing in it
/// can act on a terminal or make a text tool see another line.
public enum SafeLine {
    /// Returns what is wrong with `line`, or nil when it keeps the promise.
    public static func problem(_ line: String) -> String? {
        guard line.utf8.last == 0x0A else { return "does not end in a newline" }
        var tabs = 0
        var newlines = 0
        var previous: UInt32 = 0
        for scalar in line.unicodeScalars {
            defer { previous = scalar.value }
            let selector = { (v: UInt32) in (0xFE00...0xFE0F).contains(v) || (0xE0100...0xE01EF).contains(v) }
            if selector(scalar.value) && selector(previous) { return "holds a run of variation selectors" }
            let tag = (0xE0020...0xE007F).contains(scalar.value)
            if tag && (previous == 0x1F3F4 || (0xE0020...0xE007E).contains(previous)) { continue }
            if scalar.value > 0x9F, scalar.value != 0x200C, scalar.value != 0x200D,
               scalar.properties.generalCategory == .format || [0x115F, 0x1160, 0x3164, 0xFFA0].contains(scalar.value) {
                return "holds invisible U+\(hex(scalar.value))"
            }
            switch scalar.value {
            case 0x0A: newlines += 1
            case 0x09: tabs += 1
            case 0x00..<0x20, 0x7F...0x9F:
                return "holds control character U+\(hex(scalar.value))"
            case 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069:
                return "holds bidirectional control U+\(hex(scalar.value))"
            case 0x2028, 0x2029:
                // Unicode line and paragraph separators: editors, JavaScript
                // and Swift's own `isNewline` break lines there.
                return "holds line separator U+\(hex(scalar.value))"
            default: break
            }
        }
        guard newlines == 1 else { return "holds \(newlines) newlines" }
        guard tabs == 4 else { return "holds \(tabs) tabs, not 4" }
        return nil
    }

    /// Checks an escaped field: no newline and no tab at all.
    public static func fieldProblem(_ field: String) -> String? {
        if field.unicodeScalars.contains(where: { $0.value == 0x0A || $0.value == 0x09 }) {
            return "escaped field holds a tab or newline"
        }
        return problem("a\tb\tc\td\t" + field + "\n")
    }

    static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
