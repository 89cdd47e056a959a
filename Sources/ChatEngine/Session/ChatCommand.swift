import ChatProtocol

/// One line typed into a chat (`bucketchat chat`): a message, or a slash
/// command. Every command that changes the room is a `ctl` line behind a
/// slash (`/react REF EMOJI` is ``ControlCommand``'s `react REF EMOJI`) and
/// becomes a ``RoomAction``; the rest belong to the chat itself.
public enum ChatCommand: Equatable, Sendable {
    /// A message, a reply, an emote, a reaction, an edit, a redaction, a
    /// membership change, a name or topic: what the room's rules check.
    case act(RoomAction)
    /// `/file PATH`: share a file (the path as typed; the face makes it absolute).
    case shareFile(String)
    /// `/join ROOM`: show another room (an id or a name), joining it if invited.
    case switchRoom(String)
    /// `/rooms`: the rooms of the store and what is unread in them.
    case rooms
    /// `/who`: the members of the room.
    case who
    /// `/topic` without text: show the room's topic.
    case showTopic
    case help
    case quit

    /// The commands Tab completes, as typed.
    public static let names = ["/edit", "/file", "/help", "/invite", "/join", "/kick", "/ban", "/leave", "/me", "/name",
                               "/quit", "/react", "/redact", "/reply", "/rooms", "/topic", "/who"].sorted()

    public static let usage = """
        TEXT                send a message (start it with // to send one that starts with /)
        /me TEXT            send an emote
        /reply REF TEXT     reply to an event (REF: the second column; Tab completes it)
        /react REF EMOJI    react to an event
        /edit REF TEXT      replace the text of one of your messages
        /redact REF [WHY]   hide an event's content
        /file PATH          share a file
        /join ROOM          show another room (joins it if you are invited); /join alone joins this one
        /rooms              list the rooms and their unread messages
        /who                list the members
        /topic [TEXT]       show or set the topic; /name TEXT renames the room
        /invite USER [KEY], /kick USER [WHY], /ban USER [WHY], /leave
        /quit               leave the chat (Ctrl-C or Ctrl-D on an empty line too)
        """

    /// Parses a typed line; the error says what is wrong. Blank lines are not
    /// commands (nil): nothing to do.
    public static func parse(_ line: String) -> Result<ChatCommand, ControlSyntaxError>? {
        guard !line.trimmingSpaces.isEmpty else { return nil }
        guard line.hasPrefix("/") else { return .success(.act(.send(MessageContent(body: line)))) }
        // `//text` sends `/text`: a message may start with a slash.
        if line.hasPrefix("//") { return .success(.act(.send(MessageContent(body: String(line.dropFirst()))))) }
        let (verb, rest) = String(line.dropFirst()).splitFirstWord()
        guard !verb.isEmpty else { return .failure(ControlSyntaxError("a command follows the slash; /help lists them")) }
        func bare(_ command: ChatCommand) -> Result<ChatCommand, ControlSyntaxError> {
            rest.isEmpty ? .success(command) : .failure(ControlSyntaxError("/\(verb) takes no arguments"))
        }
        switch verb {
        case "quit", "exit", "q": return bare(.quit)
        case "help", "?": return bare(.help)
        case "rooms": return bare(.rooms)
        case "who", "members": return bare(.who)
        case "me":
            return rest.isEmpty ? .failure(ControlSyntaxError("/me needs TEXT"))
                                : .success(.act(.send(MessageContent(body: rest, msgtype: "m.emote"))))
        case "file":
            return rest.isEmpty ? .failure(ControlSyntaxError("/file needs the PATH of a file")) : .success(.shareFile(rest))
        case "join" where !rest.isEmpty:
            return .success(.switchRoom(rest))
        case "topic" where rest.isEmpty:
            return .success(.showTopic)
        default:
            // The room's own language: `/react REF EMOJI` is the ctl line `react REF EMOJI`.
            switch ControlCommand.parse(verb + (rest.isEmpty ? "" : " " + rest)) {
            case .success(let action): return .success(.act(action))
            case .failure(let error):
                // `"react" needs REF EMOJI; got "react abc"` says it well; an unknown word is ours to name.
                guard !error.reason.hasPrefix("unknown command") else {
                    return .failure(ControlSyntaxError("unknown command /\(verb); /help lists them"))
                }
                return .failure(error)
            }
        }
    }
}
