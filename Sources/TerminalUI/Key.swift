/// One key press (or one paste) decoded from what a terminal sends.
public enum Key: Equatable, Sendable {
    /// Printable text typed (several characters when they came in one read).
    case text(String)
    /// Text pasted in bracketed-paste mode, newlines and all.
    case paste(String)
    case enter, tab, backTab, backspace, delete, escape
    case left, right, up, down, home, end, pageUp, pageDown
    /// Ctrl or Alt with Left/Right, or Alt-B/Alt-F: a word at a time.
    case wordLeft, wordRight
    /// Ctrl with a letter (lower case): `.control("a")` is Ctrl-A. Ctrl-I,
    /// Ctrl-M and Ctrl-H arrive as ``tab``, ``enter`` and ``backspace``.
    case control(Character)
}
