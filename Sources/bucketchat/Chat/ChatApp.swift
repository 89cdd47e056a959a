#if canImport(Glibc)
import Glibc
#endif
import ChatEngine
import ChatProtocol
import Foundation
import TerminalUI

/// What reaches the chat's main loop, from every side, one at a time.
enum ChatInput: Sendable {
    case keys([Key])
    /// A line of stdin (line mode).
    case line(String)
    /// Stdin ended, or the terminal went away.
    case inputEnded
    case view(RoomView)
    /// The host opened a room (it was journaled here, or discovery found it).
    case opened(String)
    case resize
    case signal(Int32)
}

/// The chat: rooms, the room shown, the input line, and what each input
/// does. All of it belongs to the main loop (``run()``); the engine's views,
/// the keys and the signals come in as ``ChatInput``s. Two faces: the full
/// screen (``ChatScreen``) on a terminal, plain lines otherwise.
final class ChatApp {
    enum Face {
        case screen(ChatScreen)
        /// Line mode: timeline lines out, `history` of them first.
        case lines(history: Int)
    }

    let link: ChatLink
    let me: ChatIdentity
    let directory: RoomDirectory
    var face: Face
    let notify: Bool
    private(set) var rooms: [String: ChatRoom] = [:]
    private(set) var current: String
    var editor = LineEditor()
    /// Rows scrolled back from the newest line (PageUp/PageDown).
    var scroll = 0
    /// Lines entered before the room shown had loaded: they run once it has.
    private var queued: [String] = []
    /// Stdin ended: quit once what was queued has run.
    private var inputEnded = false
    private var quitting = false
    /// A room `/join ROOM` switched to: joined once its view says we are invited.
    private var joinWhenLoaded: String?
    private var watched: Set<String> = []
    /// Line mode: events already printed (this device's, printed as sent).
    private var printed: Set<String> = []
    /// Commands that failed (line mode exits 1 after any).
    private(set) var failures = 0
    private let inputs: AsyncStream<ChatInput>
    private let send: AsyncStream<ChatInput>.Continuation

    init(link: ChatLink, me: ChatIdentity, directory: RoomDirectory, room: String, face: Face, notify: Bool) {
        self.link = link
        self.me = me
        self.directory = directory
        self.face = face
        self.notify = notify
        current = room
        rooms[room] = ChatRoom(roomID: room)
        (inputs, send) = AsyncStream.makeStream(of: ChatInput.self, bufferingPolicy: .unbounded)
    }

    var isScreen: Bool { if case .screen = face { return true } else { return false } }
    var room: ChatRoom { rooms[current] ?? ChatRoom(roomID: current) }

    /// Runs until /quit, Ctrl-C, a signal or (line mode) the end of stdin.
    func run() async throws {
        let send = self.send
        let screen = isScreen
        await link.start { roomID in
            // The screen shows every room's unread count; line mode follows one room.
            if screen { send.yield(.opened(roomID)) }
        }
        try await link.open(current)
        watch(current)
        let signals = SignalWatch([SIGINT, SIGTERM, SIGHUP, SIGWINCH]) { number in
            send.yield(number == SIGWINCH ? .resize : .signal(number))
        }
        if screen {
            KeyReader.start(keys: { send.yield(.keys($0)) }, end: { send.yield(.inputEnded) })
        } else {
            readLines(send)
        }
        draw()
        for await input in inputs {
            await handle(input)
            if quitting { break }
            draw()
        }
        withExtendedLifetime(signals) {}
    }

    private func handle(_ input: ChatInput) async {
        switch input {
        case .keys(let keys):
            for key in keys where !quitting { await press(key) }
        case .line(let line):
            await submit(line)
        case .inputEnded:
            inputEnded = true
            // A terminal that went away takes no more input; stdin's end waits
            // for the room's history to be printed and the lines queued till then.
            if isScreen || (room.loaded && queued.isEmpty) { quitting = true }
        case .view(let view):
            await apply(view)
        case .opened(let roomID):
            if rooms[roomID] == nil { rooms[roomID] = ChatRoom(roomID: roomID) }
            watch(roomID)
        case .resize:
            redrawAll()
        case .signal:
            quitting = true
        }
    }

    private func watch(_ roomID: String) {
        guard watched.insert(roomID).inserted else { return }
        let link = link, send = send
        Task {
            for await view in await link.views(of: roomID) { send.yield(.view(view)) }
        }
    }

    /// Stdin, line by line, on a thread of its own.
    private func readLines(_ send: AsyncStream<ChatInput>.Continuation) {
        let thread = Thread {
            var lines = StdinLines()
            while true {
                do {
                    guard let line = try lines.next() else { break }
                    send.yield(.line(line))
                } catch {
                    Output.warn((error as? CLIError)?.message ?? "\(error)")
                    break
                }
            }
            send.yield(.inputEnded)
        }
        thread.start()
    }

    // MARK: Views

    private func apply(_ view: RoomView) async {
        guard var room = rooms[view.roomID] else { return }
        let history = !room.loaded
        let added = room.apply(view, me: me)
        if view.roomID == current {
            room.unread = 0
            room.mentioned = false
        }
        rooms[view.roomID] = room
        if view.roomID == current { show(added, history: history) }
        if !history, let mention = added.last(where: \.mentions) { alert(mention, in: room) }
        if history, view.roomID == current {
            await joinIfInvited()
            let waiting = queued
            queued = []
            for line in waiting { await submit(line) }
            // Stdin ended: done, unless a /join sent the rest to wait for another room.
            if inputEnded, queued.isEmpty { quitting = true }
        }
    }

    /// Line mode prints the room's new lines (the last few of its history first).
    private func show(_ lines: [ChatLine], history: Bool) {
        guard case .lines(let count) = face else { return }
        let events = lines.filter { $0.kind == .event }
        for line in history ? Array(events.suffix(count)) : events {
            guard let id = line.eventID, printed.insert(id).inserted else { continue }
            print(line.plain)
        }
        for line in lines where line.kind == .alert { Output.warn(line.plain) }
        fflush(nil)
    }

    /// A mention: the terminal's bell, and a desktop notification with --notify.
    private func alert(_ line: ChatLine, in room: ChatRoom) {
        guard case .screen(let screen) = face else { return }
        screen.terminal.write(Escape.bell)
        guard notify, let path = ChatApp.which("notify-send") else { return }
        let body = line.styled.runs.map(\.text).joined()
            .replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["--app-name=bucketchat", "bucketchat: \(room.name)", body]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try? process.run()
    }

    static func which(_ tool: String) -> String? {
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(folder)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    // MARK: Keys

    private func press(_ key: Key) async {
        switch key {
        case .control("c"):
            quitting = true
        case .control("d") where editor.isEmpty:
            quitting = true
        case .control("l"):
            redrawAll()
        case .tab:
            complete()
        case .pageUp:
            scroll += max(1, timelineRows - 1)
        case .pageDown:
            scroll = max(0, scroll - max(1, timelineRows - 1))
        default:
            if case .submitted(let line) = editor.handle(key) {
                scroll = 0
                await submit(line)
            }
        }
    }

    private var timelineRows: Int {
        guard case .screen(let screen) = face else { return 0 }
        return screen.timelineRows
    }

    /// Tab: a command's name at the start of the line, else a REF or a
    /// member. One match is completed; several complete their common
    /// start, and are listed when that adds nothing.
    private func complete() {
        let word = editor.wordBeforeCursor
        guard !word.isEmpty else { return }
        var candidates: [String]
        if word.hasPrefix("/"), editor.textBeforeCursor == word {
            candidates = ChatCommand.names
        } else {
            candidates = room.recentRefs
            for (id, member, _) in room.members {
                candidates.append(id)
                if let name = member.displayName { candidates.append(TimelineLine.escape(name)) }
            }
        }
        var seen: Set<String> = []
        let matches = candidates.filter { $0.lowercased().hasPrefix(word.lowercased()) && seen.insert($0).inserted }
        guard let first = matches.first else { return }
        if matches.count == 1 {
            editor.replace(before: word.count, with: first + " ")
            return
        }
        var common = Array(first)
        for match in matches.dropFirst() {
            let other = Array(match)
            var n = 0
            while n < common.count, n < other.count, common[n] == other[n] { n += 1 }
            common = Array(common[..<n])
        }
        if common.count > word.count {
            editor.replace(before: word.count, with: String(common))
        } else {
            say(.info, matches.prefix(16).joined(separator: "  ") + (matches.count > 16 ? "  …" : ""))
        }
    }

    // MARK: Commands

    /// A line typed or read: a message or a command.
    func submit(_ line: String) async {
        // Actions are checked against the room's rules, and commands answer
        // from its state: until it has loaded, lines wait, in order.
        guard room.loaded else {
            queued.append(line)
            return
        }
        guard let parsed = ChatCommand.parse(line) else { return }
        let command: ChatCommand
        switch parsed {
        case .failure(let error):
            return fail(error.reason)
        case .success(let parsed):
            command = parsed
        }
        switch command {
        case .act(.join(nil)):
            await act(.join(displayName: me.displayName))
        case .act(let action):
            await act(action)
        case .shareFile(let given):
            await share(given)
        case .switchRoom(let text):
            await switchRoom(text)
        case .rooms:
            await listRooms()
        case .who:
            if room.members.isEmpty { say(.info, "no members known yet") }
            for (id, member, admin) in room.members {
                let name = member.displayName.map { " (\(TimelineLine.escape($0)))" } ?? ""
                say(.info, "\(TimelineLine.escape(id))\(name) \(member.membership.rawValue)\(admin ? " admin" : "")")
            }
        case .showTopic:
            say(.info, room.topic.map { "topic: \($0)" } ?? "no topic; /topic TEXT sets one")
        case .help:
            for line in ChatCommand.usage.split(separator: "\n") { say(.info, String(line)) }
        case .quit:
            quitting = true
        }
    }

    private func act(_ action: RoomAction) async {
        do {
            let event = try await link.perform(action, in: current)
            guard let line = ChatLine(VerifiedEvent(unconfirmed: event, signer: me.key), kind: .unconfirmed, state: nil, me: me) else { return }
            if case .lines = face {
                printed.insert(event.eventID)
                print(line.plain)
                fflush(nil)
            }
            rooms[current]?.unconfirmed.append(line)
        } catch {
            fail((error as? EngineError)?.message ?? (error as? CLIError)?.message ?? "\(error)")
        }
    }

    private func share(_ given: String) async {
        let expanded = given.hasPrefix("~/") ? Paths.home + given.dropFirst() : given
        // Absolute: the owner of the room (a mount) may be the one that reads it.
        let path = URL(fileURLWithPath: expanded).standardizedFileURL.path
        var folder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &folder), !folder.boolValue,
              FileManager.default.isReadableFile(atPath: path) else {
            return fail("\(TimelineLine.escape(given)) is not a file that can be read; nothing was shared")
        }
        await act(.shareFile(path: path))
    }

    private func switchRoom(_ text: String) async {
        let roomID: String
        do {
            roomID = try await directory.resolve(text).roomID
            try await link.open(roomID)
        } catch {
            return fail((error as? EngineError)?.message ?? "\(error)")
        }
        if rooms[roomID] == nil { rooms[roomID] = ChatRoom(roomID: roomID) }
        current = roomID
        rooms[roomID]?.unread = 0
        rooms[roomID]?.mentioned = false
        scroll = 0
        joinWhenLoaded = roomID
        watch(roomID)
        if room.loaded { await joinIfInvited() }
    }

    /// After `/join ROOM`: joins the room when this user is invited to it, or it is public.
    private func joinIfInvited() async {
        guard joinWhenLoaded == current else { return }
        joinWhenLoaded = nil
        switch room.membership(of: me.senderID) {
        case .join?: return
        case .invite?: await act(.join(displayName: me.displayName))
        case nil where room.joinRule == .public: await act(.join(displayName: me.displayName))
        case let other:
            say(.info, "you are not a member of \(room.name)\(other.map { " (\($0.rawValue))" } ?? ""): you can read it; /join joins it if its rules let you")
        }
    }

    private func listRooms() async {
        let known = (try? await directory.rooms()) ?? []
        var ids = Set(rooms.keys)
        for room in known { ids.insert(room.roomID) }
        for id in ids.sorted() {
            let room = rooms[id]
            let name = room?.name ?? known.first { $0.roomID == id }.map { TimelineLine.escape($0.name) } ?? id
            var marks = id == current ? " (shown)" : ""
            if let unread = room?.unread, unread > 0 { marks += " \(unread) unread" + (room?.mentioned == true ? ", you are mentioned" : "") }
            say(.info, "\(name)  \(id)\(marks)")
        }
    }

    private func fail(_ message: String) {
        failures += 1
        say(.error, message)
    }

    /// What a command says: a line in the room shown, or on stdout/stderr in line mode.
    private func say(_ kind: ChatLine.Kind, _ text: String) {
        guard isScreen else {
            if kind == .error { Output.warn(text) } else { print(text) }
            fflush(nil)
            return
        }
        rooms[current]?.lines.append(ChatLine(kind: kind, text: text))
    }

    /// The next draw sends every row (a resize, Ctrl-L).
    private func redrawAll() {
        guard case .screen(var screen) = face else { return }
        screen.invalidate()
        face = .screen(screen)
    }

    private func draw() {
        guard case .screen(var screen) = face else { return }
        screen.draw(self)
        scroll = screen.shownScroll
        face = .screen(screen)
    }

    /// Ends the chat: the terminal comes back first, then the journals are
    /// uploaded for up to `flushTimeout` (Ctrl-C stops waiting: what is not
    /// uploaded stays journaled for the next run).
    func finish(flushTimeout: Duration) async {
        if case .screen(let screen) = face { screen.terminal.restore() }
        for number in [SIGINT, SIGTERM, SIGHUP] { signal(number, SIG_DFL) }
        let pending = await link.pendingEvents()
        if pending > 0 { Output.warn("uploading \(pending) event(s)…") }
        let left = await link.stop(flushTimeout: flushTimeout)
        if left > 0 {
            Output.warn("\(left) event(s) are safe in the journal but not uploaded yet; `bucketchat flush` (or the next chat, send or mount) uploads them")
        }
    }
}
