/// A line of text in runs of one style each, measured in columns, that
/// wraps into rows and renders to what the terminal is sent.
///
/// A control character (C0, DEL, C1) in a run is shown as U+FFFD: text
/// meant for the screen has been neutralised already, and this keeps a slip
/// from ever reaching the terminal as a command.
public struct StyledText: Equatable, Sendable {
    public struct Run: Equatable, Sendable {
        public var text: String
        public var style: Style
    }

    public private(set) var runs: [Run] = []

    public init() {}

    public init(_ text: String, _ style: Style = .plain) {
        append(text, style)
    }

    public mutating func append(_ text: String, _ style: Style = .plain) {
        guard !text.isEmpty else { return }
        if let last = runs.last, last.style == style {
            runs[runs.count - 1].text += text
        } else {
            runs.append(Run(text: text, style: style))
        }
    }

    public static func + (lhs: StyledText, rhs: StyledText) -> StyledText {
        var out = lhs
        for run in rhs.runs { out.append(run.text, run.style) }
        return out
    }

    /// The columns it takes unwrapped.
    public var width: Int { runs.reduce(0) { $0 + DisplayWidth.of($1.text) } }

    /// The rows it takes at `columns`: broken after the last space that fits
    /// (or at the column limit, for a word longer than a row), each row after
    /// the first indented by `indent` columns. Wide characters never
    /// straddle two rows.
    public func wrapped(columns: Int, indent: Int = 0) -> [StyledText] {
        guard columns > 0 else { return [] }
        let indent = indent < columns / 2 ? indent : 0
        typealias Cell = (character: Character, style: Style, width: Int)
        var rows: [[Cell]] = []
        var row: [Cell] = []
        var used = 0
        let margin: [Cell] = Array(repeating: (" ", .plain, 1), count: indent)
        for run in runs {
            for character in run.text {
                let width = DisplayWidth.of(character)
                if used + width > columns, used > 0 {
                    // Break after the row's last space, unless that leaves nothing of it.
                    let start = rows.isEmpty ? 0 : indent
                    if let space = row.lastIndex(where: { $0.character == " " }), space > start, character != " " {
                        rows.append(Array(row[..<space]))
                        row = margin + row[(space + 1)...]
                    } else {
                        rows.append(row)
                        row = margin
                    }
                    used = row.reduce(0) { $0 + $1.width }
                    // A space that would start the next row is the break itself.
                    if character == " ", row.count == indent { continue }
                }
                row.append((character, run.style, width))
                used += width
            }
        }
        if used > 0 || rows.isEmpty { rows.append(row) }
        return rows.map { cells in
            var text = StyledText()
            for cell in cells { text.append(String(cell.character), cell.style) }
            return text
        }
    }

    /// The first `columns` columns, padded with spaces in `fill` to exactly that width.
    public func fitted(columns: Int, fill: Style = .plain) -> StyledText {
        var out = StyledText()
        var used = 0
        outer: for run in runs {
            for character in run.text {
                let width = DisplayWidth.of(character)
                if used + width > columns { break outer }
                out.append(String(character), run.style)
                used += width
            }
        }
        if used < columns { out.append(String(repeating: " ", count: columns - used), fill) }
        return out
    }

    /// The bytes for the terminal: each run after its SGR, then a reset.
    public var rendered: String {
        var out = ""
        for run in runs {
            out += Escape.select(run.style)
            out += StyledText.inert(run.text)
        }
        return out + Escape.reset
    }

    /// Text with every control character replaced by U+FFFD.
    static func inert(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x7F }) && !text.unicodeScalars.contains(where: { (0x80...0x9F).contains($0.value) }) {
            return text
        }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let v = scalar.value
            out.append(v < 0x20 || (0x7F...0x9F).contains(v) ? "\u{FFFD}" : scalar)
        }
        return String(out)
    }
}
