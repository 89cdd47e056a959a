import ChatEngine
import TerminalUI

/// The full-screen face: a title row (room and topic), the timeline, a
/// status row (other rooms' unread counts, uploads, the store), the input
/// line. Each draw composes every row and sends only the rows that changed.
struct ChatScreen {
    let terminal: RawTerminal
    /// The rows as last sent; empty after a resize or Ctrl-L, so everything is sent again.
    private var previous: [StyledText] = []
    private var previousSize = (rows: 0, columns: 0)
    /// Rows the timeline had at the last draw (PageUp scrolls by that).
    private(set) var timelineRows = 0
    /// How far back the last draw was scrolled: never past the oldest line.
    private(set) var shownScroll = 0

    static let bar = Style(reverse: true)
    /// Continuation rows of a long line start under its text, after the time.
    static let indent = 6

    init(terminal: RawTerminal) {
        self.terminal = terminal
    }

    mutating func invalidate() {
        previous = []
    }

    mutating func draw(_ app: ChatApp) {
        let size = terminal.size
        if size != previousSize {
            previous = []
            previousSize = size
        }
        let (rows, columns) = size
        let room = app.room
        var frame: [StyledText] = []
        if rows >= 4 {
            var title = StyledText(" " + room.name, Style(bold: true, reverse: true))
            if let topic = room.topic { title.append(" — " + topic, ChatScreen.bar) }
            frame.append(title.fitted(columns: columns, fill: ChatScreen.bar))
            timelineRows = rows - 3
            frame += timeline(room, rows: timelineRows, columns: columns, scroll: app.scroll)
            frame.append(status(app, columns: columns))
        }
        let prompt = "> "
        let input = app.editor.view(columns: max(1, columns - DisplayWidth.of(prompt) - 1))
        // The last row stops one column short: writing the bottom-right cell may scroll the screen.
        frame.append(StyledText(prompt, Style(bold: true)) + StyledText(input.text))
        var out = Escape.hideCursor
        if previous.isEmpty { out += Escape.clearScreen }
        for (i, row) in frame.enumerated() where previous.count != frame.count || previous[i] != row {
            let fitted = i == frame.count - 1 ? row.fitted(columns: max(0, columns - 1)) : row
            out += Escape.moveTo(row: i + 1, column: 1) + fitted.rendered
        }
        previous = frame
        out += Escape.moveTo(row: frame.count, column: DisplayWidth.of(prompt) + input.cursorColumn + 1) + Escape.showCursor
        terminal.write(out)
    }

    /// The timeline's rows: the newest lines at the bottom, `scroll` rows back.
    mutating func timeline(_ room: ChatRoom, rows: Int, columns: Int, scroll: Int) -> [StyledText] {
        var wrapped: [StyledText] = []
        let wanted = rows + scroll
        for line in (room.lines + room.unconfirmed).reversed() {
            wrapped.insert(contentsOf: line.styled.wrapped(columns: columns, indent: ChatScreen.indent), at: 0)
            if wrapped.count >= wanted { break }
        }
        if !room.loaded, wrapped.isEmpty { wrapped = [StyledText("-- loading \(room.name)…", Style(foreground: .cyan))] }
        shownScroll = min(scroll, max(0, wrapped.count - rows))
        let end = wrapped.count - shownScroll
        var shown = Array(wrapped[max(0, end - rows)..<end])
        while shown.count < rows { shown.insert(StyledText(), at: 0) }
        return shown.map { $0.fitted(columns: columns) }
    }

    /// One row: the room shown, the others with unread messages, uploads, the store.
    func status(_ app: ChatApp, columns: Int) -> StyledText {
        let room = app.room
        var line = StyledText(" [\(room.name)]", Style(bold: true, reverse: true))
        let others = app.rooms.values.filter { $0.roomID != room.roomID && $0.unread > 0 }.sorted { $0.name < $1.name }
        for other in others {
            let style = other.mentioned ? Style(foreground: .yellow, bold: true, reverse: true) : ChatScreen.bar
            line.append(" \(other.name) \(other.unread)\(other.mentioned ? "!" : "")", style)
        }
        let pending = app.rooms.values.reduce(0) { $0 + $1.pendingUploads }
        if pending > 0 {
            line.append(" │ sending… \(pending)", Style(foreground: .yellow, reverse: true))
            if let error = room.uploadError { line.append(" (\(error))", Style(foreground: .yellow, reverse: true)) }
        }
        if let failure = room.failure { line.append(" │ offline: \(failure)", Style(foreground: .red, reverse: true)) }
        if app.scroll > 0 { line.append(" │ scrolled back (PageDown)", ChatScreen.bar) }
        if !room.loaded { line.append(" │ loading…", ChatScreen.bar) }
        return line.fitted(columns: columns, fill: ChatScreen.bar)
    }
}
