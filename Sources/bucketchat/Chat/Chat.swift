#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import ChatEngine
import ChatProtocol
import Foundation
import TerminalUI

/// `bucketchat chat`: a room on the whole terminal, live; or, when stdin or
/// stdout is not a terminal, plain lines in and timeline lines out.
struct Chat: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Chat in a room, full screen: the live timeline above, an input line below.",
        discussion: """
            The timeline is the verified one, as `follow` prints it, live. Type a message and Enter; \
            /help lists the commands (/react REF EMOJI, /reply REF TEXT, /edit, /redact, /file PATH, \
            /join ROOM, /rooms, /who, /topic, /quit). Tab completes commands, REFs and members; Up and \
            Down recall what you typed; PageUp and PageDown scroll. The status row shows other rooms' \
            unread messages (! when you are mentioned: the terminal bell rings), uploads in progress, \
            and a store that cannot be reached. Integrity alerts show in red, never as messages.

            When stdin or stdout is not a terminal (or TERM is dumb), it works line by line: the room's last \
            --lines lines are printed, then each line of stdin is sent (or run, if it is a \
            /command) and each new timeline line printed; at the end of stdin it uploads and \
            exits (`printf 'hi\\n' | bucketchat chat ROOM`). Exit status 1 if a line was refused.

            While a mount of this identity runs, the chat acts through it (as `send` does); \
            otherwise other commands act through the chat while it runs. See docs/chat.md.
            """
    )

    @Argument(help: "The room: its id or its name (default: the room this device wrote to last).") var room: String?
    @Flag(help: "On a mention, also show a desktop notification (notify-send, when installed).") var notify = false
    @Option(help: "Line mode: history lines to print first.") var lines = 10
    @Option(name: .customLong("upload-timeout"), help: ArgumentHelp(
        "Seconds to try uploading at the end; what is left stays safe in the journal.", valueName: "seconds"))
    var uploadTimeout: Double = 10
    @OptionGroup var trust: TrustOptions
    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        let client = try await Client.load(storeOptions)
        for file in trust.files { _ = try TrustedKeys.load(file) }
        let roomID = try await pickRoom(client)
        let onScreen = RawTerminal.isTerminal(0) && RawTerminal.isTerminal(1) && Paths.environment["TERM"] != "dumb"
        let log: @Sendable (String) -> Void = { message in
            FileHandle.standardError.write(Data("\(ISO8601DateFormatter().string(from: Date())) bucketchat chat: \(message)\n".utf8))
        }
        let link = try ChatLink.open(client, trust: trust, log: log)
        let me = ChatIdentity(senderID: client.identity.senderID, displayName: client.displayName, key: client.identity.key.publicKey)
        let face: ChatApp.Face
        // Nothing may write to the terminal under the screen: warnings and
        // -v logs go to chat.log in the state folder while it is up.
        var savedError: Int32?
        if onScreen {
            if RawTerminal.isTerminal(2) { savedError = Chat.redirectStandardError() }
            do {
                face = .screen(ChatScreen(terminal: try RawTerminal()))
            } catch {
                if let savedError { dup2(savedError, 2) }
                _ = await link.stop(flushTimeout: .zero)
                throw CLIError("\(error)")
            }
        } else {
            face = .lines(history: max(0, lines))
        }
        let app = ChatApp(link: link, me: me, directory: client.directory, room: roomID, face: face, notify: notify)
        var failure: Error?
        do {
            try await app.run()
        } catch {
            failure = error
        }
        if let savedError { dup2(savedError, 2) }
        await app.finish(flushTimeout: .milliseconds(Int(max(0, uploadTimeout) * 1000)))
        if let failure { throw failure }
        if !onScreen, app.failures > 0 { throw ExitCode(1) }
    }

    /// The room named, or the one this device wrote to last.
    private func pickRoom(_ client: Client) async throws -> String {
        if let room { return try await client.resolve(room).roomID }
        let written = client.writtenRooms.map { id -> (String, Date) in
            // Each event this device sends is appended to the room's journal.
            let journal = Journal.path(stateFolder: client.stateFolder, roomID: id, clientID: client.identity.clientID)
            let modified = (try? FileManager.default.attributesOfItem(atPath: journal)[.modificationDate] as? Date) ?? nil
            return (id, modified ?? .distantPast)
        }
        guard let latest = written.max(by: { $0.1 < $1.1 }) else {
            throw CLIError("which room? This device has written to none in \(client.location) yet: `bucketchat chat ROOM` (`bucketchat room list` lists them, `bucketchat room create NAME` makes one)")
        }
        return latest.0
    }

    /// Points stderr at chat.log in the state folder; returns the old stderr.
    static func redirectStandardError() -> Int32? {
        try? Paths.makePrivateDirectory(Paths.stateDirectory)
        let path = Paths.stateDirectory + "/chat.log"
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return nil }
        let saved = dup(2)
        dup2(fd, 2)
        close(fd)
        return saved
    }
}
