import Testing
@testable import TerminalUI

/// The input line, edited as readline edits.
@Suite struct LineEditorTests {
    func editor(_ keys: [Key]) -> LineEditor {
        var editor = LineEditor()
        for key in keys { _ = editor.handle(key) }
        return editor
    }

    @Test func cursorMovesAndInserts() {
        var e = editor([.text("helo"), .left, .text("l")])
        #expect(e.text == "hello")
        #expect(e.cursor == 4)
        _ = e.handle(.home)
        _ = e.handle(.text(">"))
        _ = e.handle(.control("e"))
        _ = e.handle(.text("!"))
        #expect(e.text == ">hello!")
        _ = e.handle(.control("a"))
        _ = e.handle(.delete)
        #expect(e.text == "hello!")
        _ = e.handle(.end)
        _ = e.handle(.backspace)
        #expect(e.text == "hello")
    }

    @Test func killsAndYank() {
        var e = editor([.text("one two three")])
        _ = e.handle(.control("w"))
        #expect(e.text == "one two ")
        _ = e.handle(.control("w"))
        #expect(e.text == "one ")
        _ = e.handle(.control("y"))
        #expect(e.text == "one two ")
        _ = e.handle(.left)
        _ = e.handle(.left)
        _ = e.handle(.control("k"))
        #expect(e.text == "one tw")
        _ = e.handle(.control("u"))
        #expect(e.text == "")
        #expect(editor([.text("a b"), .wordLeft, .text("x")]).text == "a xb")
    }

    @Test func emojiAndAccentsAreOneStep() {
        var e = editor([.text("a👨‍👩‍👧b"), .left, .left, .backspace])
        #expect(e.text == "👨‍👩‍👧b")
        e = editor([.text("e"), .text("\u{301}"), .left, .text("x")])
        #expect(e.text == "xe\u{301}", "the accent typed after e joined it")
    }

    @Test func historyRecallsAndKeepsTheDraft() {
        var e = LineEditor()
        for line in ["first", "second"] {
            _ = e.handle(.text(line))
            #expect(e.handle(.enter) == .submitted(line))
        }
        _ = e.handle(.text("draft"))
        _ = e.handle(.up)
        #expect(e.text == "second")
        _ = e.handle(.up)
        _ = e.handle(.up)
        #expect(e.text == "first")
        _ = e.handle(.down)
        #expect(e.text == "second")
        _ = e.handle(.down)
        #expect(e.text == "draft")
        #expect(e.handle(.enter) == .submitted("draft"))
        #expect(e.history == ["first", "second", "draft"])
        // The same line twice in a row is kept once.
        _ = e.handle(.text("draft"))
        _ = e.handle(.enter)
        #expect(e.history.count == 3)
    }

    @Test func aPasteIsOneMessage() {
        let e = editor([.paste("line 1\r\nline 2\rline 3\n\n")])
        #expect(e.text == "line 1\nline 2\nline 3")
        #expect(e.view(columns: 40).text == "line 1↵line 2↵line 3")
    }

    @Test func theViewScrollsToTheCursorByColumns() {
        let e = editor([.text("你好你好你好")])
        let view = e.view(columns: 7)
        #expect(view.cursorColumn <= 6)
        #expect(view.text == "好你好", "scrolled so the cursor, after the last character, shows")
        #expect(view.cursorColumn == 6)
        let start = editor([.text("你好你好你好"), .home]).view(columns: 7)
        #expect(start.text == "你好你")
        #expect(start.cursorColumn == 0)
    }

    @Test func hiddenCharactersShowAsWhatTheyAre() {
        #expect(LineEditor.shown("\u{202E}") == "<U+202E>")
        #expect(LineEditor.shown("\u{1B}") == "<U+1B>")
        #expect(LineEditor.shown("\t") == "⇥")
        #expect(LineEditor.shown("👍") == "👍")
    }
}
