import Foundation

/// What a mount's rendered files promise (docs/timeline-format.md), checked
/// independently of the escaper: no raw control, line break, bidi control or
/// invisible scalar reaches the reader, and every line has its fields.
enum SafeText {
    /// The first raw scalar a reader must never get, described, or nil.
    static func hiddenScalar(in line: Substring) -> String? {
        var previousSelector = false
        for scalar in line.unicodeScalars {
            let v = scalar.value
            let selector = (0xFE00...0xFE0F).contains(v) || (0xE0100...0xE01EF).contains(v)
            defer { previousSelector = selector }
            if v == 0x09 { continue }
            if v < 0x20 || (0x7F...0x9F).contains(v) { return "control U+\(String(v, radix: 16))" }
            if v == 0x2028 || v == 0x2029 { return "line separator U+\(String(v, radix: 16))" }
            if [0x115F, 0x1160, 0x3164, 0xFFA0].contains(v) { return "Hangul filler U+\(String(v, radix: 16))" }
            if selector && previousSelector { return "a run of variation selectors" }
            if scalar.properties.generalCategory == .format && v != 0x200C && v != 0x200D {
                return "format character U+\(String(v, radix: 16))"
            }
        }
        return nil
    }

    /// Problems of a file of tab-separated lines: each must have `fields`
    /// non-empty fields (nil: any number) and nothing hidden.
    static func problems(_ text: String, fields: ClosedRange<Int>?) -> [String] {
        guard !text.isEmpty else { return [] }
        guard text.hasSuffix("\n") else { return ["does not end in a newline"] }
        var out: [String] = []
        for line in text.dropLast().split(separator: "\n", omittingEmptySubsequences: false) {
            if let hidden = hiddenScalar(in: line) { out.append("\(hidden) in \(line.prefix(200).debugDescription)") }
            let parts = line.split(separator: "\t", omittingEmptySubsequences: false)
            if let fields, !fields.contains(parts.count) || parts.contains(where: \.isEmpty) {
                out.append("\(parts.count) fields (some empty?) in \(line.prefix(200).debugDescription)")
            }
        }
        return out
    }

    /// Problems of a JSON-lines file: each line valid JSON, printable ASCII only.
    static func jsonProblems(_ text: String) -> [String] {
        var out: [String] = []
        for line in text.split(separator: "\n") {
            if line.utf8.contains(where: { $0 < 0x20 || $0 > 0x7E }) { out.append("non-ASCII or control byte in \(line.prefix(120))") }
            if (try? JSONSerialization.jsonObject(with: Data(line.utf8))) == nil { out.append("not JSON: \(line.prefix(120))") }
        }
        return out
    }
}
