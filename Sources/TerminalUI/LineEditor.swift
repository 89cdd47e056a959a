/// The input line: text, a cursor, history and a kill buffer, edited by
/// ``Key``s as readline does (Emacs keys).
///
/// Positions count characters (grapheme clusters), so the cursor never lands
/// inside an emoji or a letter with its accent; the screen position counts
/// columns (``view(columns:)``).
public struct LineEditor: Sendable {
    public private(set) var characters: [Character] = []
    /// Where the cursor is: before `characters[cursor]`.
    public private(set) var cursor = 0
    public private(set) var history: [String] = []
    /// The history entry shown (Up/Down), nil for the line being written.
    private var historyIndex: Int?
    /// The line being written while the history is browsed.
    private var draft: [Character] = []
    /// What the last kill (Ctrl-U/K/W) removed, for Ctrl-Y.
    private var killed: [Character] = []
    public var historyLimit = 500

    public init() {}

    public var text: String { String(characters) }
    public var isEmpty: Bool { characters.isEmpty }

    public enum Outcome: Equatable, Sendable {
        /// The line changed or the cursor moved.
        case edited
        /// Enter: the line, now in the history; the editor is empty again.
        case submitted(String)
        /// A key the editor does not use.
        case ignored
    }

    public mutating func handle(_ key: Key) -> Outcome {
        switch key {
        case .text(let typed): insert(typed)
        case .paste(let pasted):
            // One paste is one message: line ends become newlines, a trailing one goes.
            var text = pasted.replacingCRLF
            while text.last == "\n" { text.removeLast() }
            insert(text)
        case .enter: return .submitted(submit())
        case .left, .control("b"): cursor = max(0, cursor - 1)
        case .right, .control("f"): cursor = min(characters.count, cursor + 1)
        case .home, .control("a"): cursor = 0
        case .end, .control("e"): cursor = characters.count
        case .wordLeft: cursor = wordStart(before: cursor)
        case .wordRight: cursor = wordEnd(after: cursor)
        case .backspace:
            guard cursor > 0 else { return .edited }
            characters.remove(at: cursor - 1)
            cursor -= 1
        case .delete, .control("d"):
            guard cursor < characters.count else { return .edited }
            characters.remove(at: cursor)
        case .control("u"): kill(0..<cursor)
        case .control("k"): kill(cursor..<characters.count)
        case .control("w"): kill(wordStart(before: cursor)..<cursor)
        case .control("y"): insert(String(killed))
        case .up, .control("p"): recall(-1)
        case .down, .control("n"): recall(+1)
        default: return .ignored
        }
        return .edited
    }

    /// Inserts text at the cursor. Characters are joined again around it, so
    /// an accent typed after a letter becomes part of it.
    public mutating func insert(_ typed: String) {
        let before = String(characters[..<cursor]) + typed
        let after = String(characters[cursor...])
        characters = Array(before + after)
        cursor = min(characters.count, Array(before).count)
        historyIndex = nil
    }

    /// Replaces the `count` characters before the cursor (what Tab completes).
    public mutating func replace(before count: Int, with replacement: String) {
        let start = max(0, cursor - count)
        characters.removeSubrange(start..<cursor)
        cursor = start
        insert(replacement)
    }

    /// The word the cursor ends: the characters since the last space.
    public var wordBeforeCursor: String {
        var start = cursor
        while start > 0, !characters[start - 1].isWhitespace { start -= 1 }
        return String(characters[start..<cursor])
    }

    /// Everything before the cursor.
    public var textBeforeCursor: String { String(characters[..<cursor]) }

    /// Empties the line and returns it; a non-empty line joins the history.
    public mutating func submit() -> String {
        let line = text
        if !line.isEmpty, history.last != line {
            history.append(line)
            if history.count > historyLimit { history.removeFirst(history.count - historyLimit) }
        }
        characters = []
        cursor = 0
        historyIndex = nil
        draft = []
        return line
    }

    private mutating func kill(_ range: Range<Int>) {
        guard !range.isEmpty else { return }
        killed = Array(characters[range])
        characters.removeSubrange(range)
        cursor = range.lowerBound
    }

    private mutating func recall(_ step: Int) {
        guard !history.isEmpty else { return }
        let current = historyIndex ?? history.count
        let next = min(max(current + step, 0), history.count)
        guard next != current else { return }
        if historyIndex == nil { draft = characters }
        if next == history.count {
            characters = draft
            historyIndex = nil
        } else {
            characters = Array(history[next])
            historyIndex = next
        }
        cursor = characters.count
    }

    private func wordStart(before position: Int) -> Int {
        var i = position
        while i > 0, characters[i - 1].isWhitespace { i -= 1 }
        while i > 0, !characters[i - 1].isWhitespace { i -= 1 }
        return i
    }

    private func wordEnd(after position: Int) -> Int {
        var i = position
        while i < characters.count, characters[i].isWhitespace { i += 1 }
        while i < characters.count, !characters[i].isWhitespace { i += 1 }
        return i
    }

    /// The line as it fits in `columns`: the visible part (scrolled so the
    /// cursor shows) and the cursor's column in it (from 0). Characters that
    /// would act on the terminal or hide are shown as visible stand-ins
    /// (``shown(_:)``).
    public func view(columns: Int) -> (text: String, cursorColumn: Int) {
        guard columns > 1 else { return ("", 0) }
        let shown = characters.map(LineEditor.shown)
        let widths = shown.map(DisplayWidth.of)
        // Scroll so that the cursor, and one column after it, fit.
        var start = 0
        var before = widths[..<cursor].reduce(0, +)
        while before > columns - 1, start < cursor {
            before -= widths[start]
            start += 1
        }
        var text = ""
        var used = 0
        for i in start..<shown.count {
            if used + widths[i] > columns { break }
            text += shown[i]
            used += widths[i]
        }
        return (text, before)
    }

    /// A character as the input line shows it: a newline as ↵, a tab as ⇥,
    /// other controls and invisible format characters (bidi overrides,
    /// zero-width spaces) as `<U+HEX>`, so what will be sent is what is seen.
    public static func shown(_ character: Character) -> String {
        if character == "\n" || character == "\r\n" { return "↵" }
        if character == "\t" { return "⇥" }
        var out = ""
        for scalar in character.unicodeScalars {
            let v = scalar.value
            let hidden = v < 0x20 || (0x7F...0x9F).contains(v) || v == 0x2028 || v == 0x2029
                || (scalar.properties.generalCategory == .format && v != 0x200D && v != 0x200C)
            out += hidden ? "<U+\(String(v, radix: 16, uppercase: true))>" : String(scalar)
        }
        return out
    }
}

extension String {
    /// CR LF and lone CR as LF.
    var replacingCRLF: String {
        var out = String.UnicodeScalarView()
        var afterCR = false
        for scalar in unicodeScalars {
            if scalar == "\n", afterCR {
                afterCR = false
                continue
            }
            afterCR = scalar == "\r"
            out.append(scalar == "\r" ? "\n" : scalar)
        }
        return String(out)
    }
}
