/// Every escape sequence the program writes to a terminal, in one place.
///
/// Only what any VT100-descendant (xterm, the Linux console, tmux, screen)
/// understands: the alternate screen, cursor moves, erasing, SGR colours,
/// bracketed paste. Text from other people never goes through here: it is
/// neutralised before it becomes a ``StyledText`` run.
public enum Escape {
    static let csi = "\u{1B}["

    /// Switches to the alternate screen (the shell's screen comes back at ``alternateScreenOff``).
    public static let alternateScreenOn = csi + "?1049h"
    public static let alternateScreenOff = csi + "?1049l"
    /// Pasted text arrives between `ESC [200~` and `ESC [201~` (``KeyDecoder``).
    public static let bracketedPasteOn = csi + "?2004h"
    public static let bracketedPasteOff = csi + "?2004l"
    public static let hideCursor = csi + "?25l"
    public static let showCursor = csi + "?25h"
    public static let clearScreen = csi + "2J"
    /// Erases the rest of the line from the cursor.
    public static let clearToEndOfLine = csi + "K"
    /// Back to the default colours and attributes.
    public static let reset = csi + "0m"
    public static let bell = "\u{07}"

    /// Moves the cursor to `row`, `column` (both from 1).
    public static func moveTo(row: Int, column: Int) -> String {
        csi + "\(row);\(column)H"
    }

    /// What a terminal must be told to be itself again: attributes, cursor,
    /// paste mode, the shell's screen. Safe to send twice.
    public static let restore = reset + bracketedPasteOff + showCursor + alternateScreenOff

    /// The SGR sequence that selects a style (after a reset, so nothing leaks from the run before).
    public static func select(_ style: Style) -> String {
        var codes = ["0"]
        if style.bold { codes.append("1") }
        if style.dim { codes.append("2") }
        if style.underline { codes.append("4") }
        if style.reverse { codes.append("7") }
        if let foreground = style.foreground { codes.append(String(30 + foreground.rawValue)) }
        if let background = style.background { codes.append(String(40 + background.rawValue)) }
        return csi + codes.joined(separator: ";") + "m"
    }
}

/// The eight colours every colour terminal has.
public enum Color: Int, Sendable, CaseIterable {
    case black, red, green, yellow, blue, magenta, cyan, white
}

/// How a run of text looks.
public struct Style: Equatable, Sendable {
    public var foreground: Color?
    public var background: Color?
    public var bold = false
    public var dim = false
    public var underline = false
    public var reverse = false

    public init(foreground: Color? = nil, background: Color? = nil, bold: Bool = false, dim: Bool = false,
                underline: Bool = false, reverse: Bool = false) {
        self.foreground = foreground
        self.background = background
        self.bold = bold
        self.dim = dim
        self.underline = underline
        self.reverse = reverse
    }

    public static let plain = Style()
}
