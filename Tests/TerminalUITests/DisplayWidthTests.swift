import Testing
@testable import TerminalUI

/// Columns as a terminal counts them.
@Suite struct DisplayWidthTests {
    @Test func asciiLatinAndCombiningMarks() {
        #expect(DisplayWidth.of("hello") == 5)
        #expect(DisplayWidth.of("héllo") == 5)
        #expect(DisplayWidth.of("e\u{301}") == 1, "e and a combining acute are one column")
        #expect(DisplayWidth.of("\u{301}") == 0)
        #expect(DisplayWidth.of("a\u{200B}b") == 2, "a zero-width space takes none")
        #expect(DisplayWidth.of("\u{202E}") == 0)
    }

    @Test func wideCharactersAndEmoji() {
        #expect(DisplayWidth.of("你好") == 4)
        #expect(DisplayWidth.of("こんにちは") == 10)
        #expect(DisplayWidth.of("한국어") == 6)
        #expect(DisplayWidth.of("ｆｕｌｌ") == 8, "fullwidth Latin")
        #expect(DisplayWidth.of("👍") == 2)
        #expect(DisplayWidth.of("👍🏽") == 2, "a skin tone joins the emoji")
        #expect(DisplayWidth.of("👨‍👩‍👧") == 2, "a ZWJ family is one emoji")
        #expect(DisplayWidth.of("🇫🇷") == 2)
        #expect(DisplayWidth.of("❤️") == 2, "VS16 asks for emoji presentation")
        #expect(DisplayWidth.of("❤") == 1, "without it, text presentation")
        #expect(DisplayWidth.of("a👍b") == 4)
    }

    @Test func prefixesNeverSplitAWideCharacter() {
        #expect(DisplayWidth.prefix(of: "ab你好", fitting: 3) == ("ab", 2))
        #expect(DisplayWidth.prefix(of: "ab你好", fitting: 4) == ("ab你", 4))
    }

    @Test func styledTextWrapsByColumns() {
        let text = StyledText("ab你好cd")
        let rows = text.wrapped(columns: 4)
        #expect(rows.map { $0.runs.map(\.text).joined() } == ["ab你", "好cd"])
        let indented = StyledText("aaaaaaaaaa").wrapped(columns: 6, indent: 2)
        #expect(indented.map { $0.runs.map(\.text).joined() } == ["aaaaaa", "  aaaa"])
        // Words stay whole when a space allows it.
        let words = StyledText("one two three four").wrapped(columns: 9, indent: 2)
        #expect(words.map { $0.runs.map(\.text).joined() } == ["one two", "  three", "  four"])
        #expect(StyledText("你好").fitted(columns: 3).runs.map(\.text).joined() == "你 ")
    }

    @Test func controlsNeverReachTheTerminal() {
        let rendered = StyledText("a\u{1B}[2Jb\u{9B}c", Style(foreground: .red)).rendered
        #expect(!rendered.contains("\u{1B}[2J"))
        #expect(rendered.contains("a\u{FFFD}[2Jb\u{FFFD}c"))
        #expect(rendered.hasPrefix(Escape.select(Style(foreground: .red))))
        #expect(rendered.hasSuffix(Escape.reset))
    }
}
