import ChatEngine
import ChatProtocol
import Testing

/// The `ctl` language (a mounted room's `ctl` file) and the chat's slash
/// commands built on it.
@Suite struct ControlCommandTests {
    /// A key a `ctl` invite can pin (the parser checks it is one).
    static let key = (try? SigningKey(seed: [UInt8](repeating: 7, count: 32)))?.publicKey

    @Test func controlLinesParseIntoActions() throws {
        let key = try #require(Self.key)
        #expect(try ControlCommand.parse("react abc 👍").get() == .react(reference: "abc", reaction: "👍"))
        #expect(try ControlCommand.parse("edit abc  new  text ").get() == .edit(reference: "abc", body: "new  text"))
        #expect(try ControlCommand.parse("redact abc").get() == .redact(reference: "abc", reason: nil))
        #expect(try ControlCommand.parse("redact abc spam, sorry").get() == .redact(reference: "abc", reason: "spam, sorry"))
        #expect(try ControlCommand.parse("reply abc sure").get() == .send(MessageContent(body: "sure"), replyTo: "abc"))
        #expect(try ControlCommand.parse("invite user:bob").get() == .invite(userID: "user:bob", key: nil))
        #expect(try ControlCommand.parse("invite user:bob \(key.base64)").get() == .invite(userID: "user:bob", key: key))
        #expect(try ControlCommand.parse("kick user:bob being rude").get() == .kick(userID: "user:bob", reason: "being rude"))
        #expect(try ControlCommand.parse("ban user:eve").get() == .ban(userID: "user:eve", reason: nil))
        #expect(try ControlCommand.parse("leave").get() == .leave)
        #expect(try ControlCommand.parse("join\r").get() == .join(displayName: nil))
        #expect(try ControlCommand.parse("name Team plans").get() == .setName("Team plans"))
        #expect(try ControlCommand.parse("topic  Q3 ").get() == .setTopic("Q3"))
    }

    /// A parsed action's line parses back to it (the invariant fuzz-ctl checks).
    @Test func parsedActionsRoundTripThroughTheirLine() throws {
        let key = try #require(Self.key)
        for line in ["react abc 👍", "edit abc  new  text ", "redact abc", "redact abc spam", "reply abc sure", "invite user:bob",
                     "invite user:bob \(key.base64)", "kick user:bob being rude", "ban user:eve", "join", "leave", "name  Team", "topic\tQ3",
                     // fuzz-ctl: a space then a combining mark is one Character but still a separator.
                     "kick user:<b>\t\u{301}C\0abc\t❤️", "react a \u{301}b", "invite u\u{301} \(key.base64)"] {
            let action = try ControlCommand.parse(line).get()
            let rendered = try #require(ControlCommand.line(of: action), "\(line) has no line")
            #expect(try ControlCommand.parse(rendered).get() == action, "\(line) -> \(rendered)")
        }
    }

    /// What `ctl` cannot say has no line: it comes from `send`, `typing` or the command line.
    @Test func actionsCtlCannotSayHaveNoLine() throws {
        let key = try #require(Self.key)
        for action: RoomAction in [.send(MessageContent(body: "hi")), .send(MessageContent(body: "hi", msgtype: "m.emote"), replyTo: "abc"),
                                   .invite(userID: "user:bob", key: nil, displayName: "Bob"), .join(displayName: "Alice"),
                                   .addKey(key, deviceID: nil, revoking: []), .typing(true)] {
            #expect(ControlCommand.line(of: action) == nil, "\(action)")
        }
    }

    @Test func malformedControlLinesSayWhatIsWrong() {
        func reason(_ line: String) -> String? {
            if case .failure(let error) = ControlCommand.parse(line) { return error.reason }
            return nil
        }
        #expect(reason("react abc")?.contains("REF EMOJI") == true)
        #expect(reason("edit")?.contains("REF TEXT") == true)
        #expect(reason("reply abc")?.contains("REF TEXT") == true)
        #expect(reason("invite")?.contains("USER [KEY]") == true)
        #expect(reason("invite user:bob key extra")?.contains("USER [KEY]") == true)
        // fuzz-ctl: a tab inside the key made a third field pass as part of the key.
        #expect(reason("invite user:bob key\textra")?.contains("USER [KEY]") == true)
        #expect(reason("invite user:bob key \u{301}extra")?.contains("USER [KEY]") == true)
        // The key is checked as the line is parsed, so a bad one refuses the whole write.
        #expect(reason("invite user:bob KEY=")?.contains("invite KEY must be base64 of a 32-byte public key") == true)
        #expect(reason("invite u k\u{301}")?.contains("invite KEY must be base64") == true)
        #expect(reason("leave now")?.contains("no arguments") == true)
        #expect(reason("name")?.contains("TEXT") == true)
        #expect(reason("dance")?.contains("unknown command \"dance\"") == true)
        #expect(reason("   ")?.contains("empty line") == true)
    }

    @Test func chatLinesAreMessagesOrCommands() throws {
        func parse(_ line: String) throws -> ChatCommand? { try ChatCommand.parse(line)?.get() }
        #expect(try parse("hello there") == .act(.send(MessageContent(body: "hello there"))))
        #expect(try parse("//etc/hosts is a path") == .act(.send(MessageContent(body: "/etc/hosts is a path"))))
        #expect(try parse("   ") == nil)
        #expect(try parse("/me waves") == .act(.send(MessageContent(body: "waves", msgtype: "m.emote"))))
        // The room's actions are ctl lines behind a slash.
        #expect(try parse("/react abc 👍") == .act(.react(reference: "abc", reaction: "👍")))
        #expect(try parse("/reply abc sure thing") == .act(.send(MessageContent(body: "sure thing"), replyTo: "abc")))
        #expect(try parse("/edit abc  new text") == .act(.edit(reference: "abc", body: "new text")))
        #expect(try parse("/redact abc") == .act(.redact(reference: "abc", reason: nil)))
        #expect(try parse("/topic Q3 plans") == .act(.setTopic("Q3 plans")))
        #expect(try parse("/join") == .act(.join(displayName: nil)))
        #expect(try parse("/leave") == .act(.leave))
        // The chat's own.
        #expect(try parse("/topic") == .showTopic)
        #expect(try parse("/join Lunch plans") == .switchRoom("Lunch plans"))
        #expect(try parse("/file ~/report.pdf") == .shareFile("~/report.pdf"))
        #expect(try parse("/rooms") == .rooms)
        #expect(try parse("/who") == .who)
        #expect(try parse("/help") == .help)
        #expect(try parse("/quit") == .quit)
    }

    @Test func malformedChatCommandsSayWhatIsWrong() {
        func reason(_ line: String) -> String? {
            if case .failure(let error)? = ChatCommand.parse(line) { return error.reason }
            return nil
        }
        #expect(reason("/react abc")?.contains("REF EMOJI") == true)
        #expect(reason("/dance")?.contains("unknown command /dance; /help lists them") == true)
        #expect(reason("/quit now")?.contains("takes no arguments") == true)
        #expect(reason("/me")?.contains("TEXT") == true)
        #expect(reason("/file")?.contains("PATH") == true)
        #expect(reason("/")?.contains("/help lists them") == true)
    }

    @Test func everyCompletedNameParses() {
        for name in ChatCommand.names {
            if case .failure(let error)? = ChatCommand.parse(name) {
                #expect(!error.reason.hasPrefix("unknown"), "\(name): \(error.reason)")
            }
        }
    }
}
