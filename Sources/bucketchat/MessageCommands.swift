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
    @OptionGroup var action: ActionOptions

    func run() async throws {
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
