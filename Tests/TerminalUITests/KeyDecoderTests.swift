import Testing
@testable import TerminalUI

/// What a terminal sends, byte for byte, decoded into keys.
@Suite struct KeyDecoderTests {
    func keys(_ text: String) -> [Key] {
        var decoder = KeyDecoder()
        return decoder.decode(Array(text.utf8))
    }

    @Test func textAndControlKeys() {
        #expect(keys("héllo 你好 👍") == [.text("héllo 你好 👍")])
        #expect(keys("ab\rc") == [.text("ab"), .enter, .text("c")])
        #expect(keys("\r\n") == [.enter], "CR LF is one Enter")
        #expect(keys("\n") == [.enter])
        #expect(keys("\t\u{7F}\u{08}") == [.tab, .backspace, .backspace])
        #expect(keys("\u{01}\u{05}\u{15}\u{17}\u{0B}\u{03}\u{04}") ==
                [.control("a"), .control("e"), .control("u"), .control("w"), .control("k"), .control("c"), .control("d")])
    }

    @Test func escapeSequences() {
        #expect(keys("\u{1B}[A\u{1B}[B\u{1B}[C\u{1B}[D") == [.up, .down, .right, .left])
        #expect(keys("\u{1B}OA\u{1B}OD\u{1B}OH\u{1B}OF") == [.up, .left, .home, .end], "application cursor mode (SS3)")
        #expect(keys("\u{1B}[H\u{1B}[F\u{1B}[1~\u{1B}[4~\u{1B}[7~\u{1B}[8~") == [.home, .end, .home, .end, .home, .end])
        #expect(keys("\u{1B}[3~\u{1B}[5~\u{1B}[6~\u{1B}[Z") == [.delete, .pageUp, .pageDown, .backTab])
        #expect(keys("\u{1B}[1;5C\u{1B}[1;5D\u{1B}[1;3D\u{1B}b\u{1B}f") == [.wordRight, .wordLeft, .wordLeft, .wordLeft, .wordRight])
        #expect(keys("\u{1B}[1;2C") == [.right], "Shift alone does not move by words")
        #expect(keys("\u{1B}\u{7F}") == [.control("w")], "Alt-Backspace deletes a word")
        // Unknown sequences are swallowed whole, never typed.
        #expect(keys("a\u{1B}[2~\u{1B}[15;2~\u{1B}[?1;2cb") == [.text("ab")])
    }

    @Test func piecesWaitForTheRest() {
        var decoder = KeyDecoder()
        #expect(decoder.decode([0x1B]) == [])
        #expect(decoder.hasPending)
        #expect(decoder.decode(Array("[".utf8)) == [])
        #expect(decoder.decode(Array("D".utf8)) == [.left])
        let thumb = Array("👍".utf8)
        #expect(decoder.decode(Array(thumb[..<2])) == [])
        #expect(decoder.decode(Array(thumb[2...])) == [.text("👍")])
        #expect(!decoder.hasPending)
    }

    @Test func aLoneEscapeIsTheEscapeKeyOnceQuiet() {
        var decoder = KeyDecoder()
        #expect(decoder.decode([0x1B]) == [])
        #expect(decoder.flush() == [.escape])
        #expect(!decoder.hasPending)
        // ESC followed by another key at once: Escape, then that key.
        #expect(decoder.decode(Array("\u{1B}x".utf8)) == [.escape, .text("x")])
    }

    @Test func bracketedPasteIsOneKeyWhateverItHolds() {
        #expect(keys("\u{1B}[200~line 1\r\nline 2\u{1B}[A\u{1B}[201~x") == [.paste("line 1\r\nline 2\u{1B}[A"), .text("x")])
        // Cut anywhere, the end marker included.
        var decoder = KeyDecoder()
        let bytes = Array("\u{1B}[200~héllo\nworld\u{1B}[201~".utf8)
        var got: [Key] = []
        for byte in bytes { got += decoder.decode([byte]) }
        #expect(got == [.paste("héllo\nworld")])
    }

    @Test func invalidBytesAndC1ControlsAreNotText() {
        var decoder = KeyDecoder()
        #expect(decoder.decode([0x61, 0xFF, 0x62, 0xC2, 0x9B, 0x63]) == [.text("abc")])
        #expect(decoder.decode([0xE0, 0x61, 0x62, 0x63]) == [.text("abc")])
    }
}
