import ArgumentParser
import ChatEngine
import ChatProtocol
import Foundation

struct Send: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send a message: the words given, or each line of stdin as its own message.",
        discussion: "Returns once the messages are safe in the journal, after trying to upload them for a few seconds; --wait waits for the upload. Prints each message's REF. Text must be UTF-8: an argument or a stdin line that is not is refused (exit 2), and stdin stops there."
    )

    @Argument(help: "The room: its id or its name.") var room: String
    @Argument(help: "The message (words are joined by spaces). Without it, stdin is read line by line.") var text: [String] = []
    @Flag(help: "Send as an emote (m.emote).") var emote = false
    @Flag(help: "Send as a notice (m.notice), e.g. from a bot.") var notice = false
    @Option(help: ArgumentHelp("Share a file (m.file): its bytes are copied into the journal's blob area and checked by SHA-256 on every download.", valueName: "path"))
    var file: String?
    @Option(help: ArgumentHelp("The shared file's name (default: the file's own name).", valueName: "name")) var name: String?
    @Option(help: ArgumentHelp("Text shown with the shared file (default: its name).", valueName: "text")) var caption: String?
    @Option(help: ArgumentHelp("The shared file's media type (default: guessed from its name).", valueName: "type/subtype")) var mimetype: String?
    @OptionGroup var action: ActionOptions

    func validate() throws {
        if file == nil, name != nil || caption != nil || mimetype != nil {
            throw ValidationError("--name, --caption and --mimetype go with --file")
        }
        if file != nil, !text.isEmpty || emote || notice {
            throw ValidationError("--file shares a file; give its text with --caption, not as words, --emote or --notice")
        }
    }

    func run() async throws {
        if let file {
            try await shareFile(file)
            return
        }
        let msgtype = emote ? "m.emote" : (notice ? "m.notice" : "m.text")
        if !text.isEmpty {
            let body = text.joined(separator: " ")
            try await action.perform(room: room) { [try await $0.act(.send(MessageContent(body: body, msgtype: msgtype)))] }
            return
        }
        // Each stdin line goes out as it arrives, so `tail -f x | bucketchat send ROOM` works.
        var refusal: CLIError?
        try await action.perform(room: room) { target in
            var count = 0
            var lines = StdinLines()
            while true {
                let line: String
                do {
                    guard let next = try lines.next() else { break }
                    line = next
                } catch let error as CLIError {
                    // The lines before it are sent: let them upload, then fail.
                    refusal = error
                    return []
                }
                guard !line.isEmpty else { continue }
                let id = try await target.act(.send(MessageContent(body: line, msgtype: msgtype)))
                print(EventReference.short(id))
                fflush(nil)
                count += 1
            }
            if count == 0 { throw CLIError("nothing to send: give the message as arguments or on stdin") }
            return []
        }
        if let refusal { throw refusal }
    }

    /// Shares one file: returns once its bytes and its event are safe in the
    /// journal (then uploads as any send does, the bytes before the event).
    private func shareFile(_ given: String) async throws {
        // Absolute: a running mount may be the one that reads it.
        let path = URL(fileURLWithPath: given).standardizedFileURL.path
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw CLIError("\(given): no such file; nothing was sent")
        }
        guard !isFolder.boolValue else { throw CLIError("\(given) is a folder; share its files one by one (or an archive of it)") }
        guard FileManager.default.isReadableFile(atPath: path) else { throw CLIError("\(given) cannot be read; nothing was sent") }
        try await action.perform(room: room) { [name, mimetype, caption] target in
            [try await target.act(.shareFile(path: path, name: name, mimetype: mimetype, caption: caption))]
        }
    }
}

struct Reply: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Reply to an event (starts or continues its thread).")
    @Argument(help: "The room: its id or its name.") var room: String
    @Argument(help: "The event: its REF, a unique prefix, or its full id.") var ref: String
    @Argument(help: "The reply.") var text: [String]
    @OptionGroup var action: ActionOptions

    func run() async throws {
        let body = text.joined(separator: " ")
        try await action.perform(room: room) { [ref] in [try await $0.act(.send(MessageContent(body: body), replyTo: ref))] }
    }
}

struct React: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "React to an event (undo by redacting the reaction).")
    @Argument(help: "The room: its id or its name.") var room: String
    @Argument(help: "The event's REF.") var ref: String
    @Argument(help: "The reaction, e.g. 👍.") var reaction: String
    @OptionGroup var action: ActionOptions

    func run() async throws {
        try await action.perform(room: room) { [ref, reaction] in [try await $0.act(.react(reference: ref, reaction: reaction))] }
    }
}

struct Edit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Replace the text of one of your messages (the latest edit wins).")
    @Argument(help: "The room: its id or its name.") var room: String
    @Argument(help: "The message's REF.") var ref: String
    @Argument(help: "The new text.") var text: [String]
    @OptionGroup var action: ActionOptions

    func run() async throws {
        let body = text.joined(separator: " ")
        try await action.perform(room: room) { [ref] in [try await $0.act(.edit(reference: ref, body: body))] }
    }
}

struct Redact: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Hide an event's content (yours, or anyone's if you are an admin).",
        discussion: "As the ctl file's `redact REF [REASON]`: bucketchat redact ROOM REF [REASON...]."
    )
    @Argument(help: "The room: its id or its name.") var room: String
    @Argument(help: "The event's REF.") var ref: String
    @Argument(help: "Why (optional; words are joined by spaces).") var reasonWords: [String] = []
    @Option(name: .customLong("reason"), help: "Why, as an option (the same as the REASON argument).") var reasonOption: String?
    @OptionGroup var action: ActionOptions

    func run() async throws {
        let reason = try Reason.either(reasonWords, reasonOption)
        try await action.perform(room: room) { [ref] in [try await $0.act(.redact(reference: ref, reason: reason))] }
    }
}
