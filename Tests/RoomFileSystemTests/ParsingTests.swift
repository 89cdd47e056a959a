import ChatEngine
import ChatProtocol
import Foundation
import Testing
@testable import RoomFileSystem

/// The pure parts: paths, `ctl` lines, append-only text, errno mapping.
@Suite struct ParsingTests {
    @Test func pathsNameTheNodesOfTheLayout() {
        #expect(NodePath("/") == .root)
        #expect(NodePath("/me") == .me)
        #expect(NodePath("/by-name") == .byName)
        #expect(NodePath("/by-name/lobby") == .byNameLink("lobby"))
        #expect(NodePath("/room_a") == .room("room_a"))
        #expect(NodePath("/room_a/timeline") == .roomFile("room_a", .timeline))
        #expect(NodePath("/room_a/events.jsonl") == .roomFile("room_a", .events))
        #expect(NodePath("/room_a/threads") == .threads("room_a"))
        #expect(NodePath("/room_a/threads/abc123") == .thread("room_a", "abc123"))
        #expect(NodePath("/room_a/threads/abc123/send") == .threadFile("room_a", "abc123", .send))
        #expect(NodePath("/room_a/nosuch") == nil)
        #expect(NodePath("/room_a/threads/abc/members") == nil)
        #expect(NodePath("/me/x") == nil)
        #expect(NodePath("/a/b/c/d/e") == nil)
    }

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

    @Test func appendOnlyTextReadsAnyRangeWithExactSize() {
        var text = AppendOnlyText()
        var whole = ""
        for i in 0..<1000 {
            let line = "line \(i) é\n"
            text.append(line)
            whole += line
        }
        let bytes = Array(whole.utf8)
        #expect(text.size == bytes.count)
        #expect(text.lineCount == 1000)
        #expect(String(decoding: text.line(999), as: UTF8.self) == "line 999 é\n")
        for (offset, size) in [(0, 10), (5, 4096), (bytes.count - 7, 100), (bytes.count, 10), (bytes.count + 5, 10)] {
            var buffer = [UInt8](repeating: 0, count: size)
            let count = buffer.withUnsafeMutableBytes { text.read(at: offset, into: $0) }
            let expected = offset < bytes.count ? Array(bytes[offset..<min(bytes.count, offset + size)]) : []
            #expect(Array(buffer[0..<count]) == expected, "read at \(offset)")
        }
    }

    @Test func eventLogMakesLinesOnReadAtAnyOffset() throws {
        let key = try SigningKey.generate()
        var chain = DeviceChain(roomID: "room_t", senderID: "user:t", key: key)
        var log = EventLog()
        var whole: [UInt8] = []
        for i in 0..<50 {
            let event = try chain.sign(type: EventType.message, content: MessageContent(body: "m\(i)").json, nowMs: 1_700_000_000_000 + Int64(i))
            log.append(event, timelineLine: i)
            whole += event.lineBytes + [0x0A]
        }
        #expect(log.size == whole.count)
        for offset in [0, 1, 333, whole.count - 1, whole.count] {
            var buffer = [UInt8](repeating: 0, count: 700)
            let count = buffer.withUnsafeMutableBytes { log.read(at: offset, into: $0) }
            #expect(Array(buffer[0..<count]) == Array(whole[min(offset, whole.count)..<min(whole.count, offset + 700)]))
        }
    }

    @Test func eachFailureMapsToOneErrno() {
        let pairs: [(FileSystemError.Code, Int32)] = [
            (.notFound, ENOENT), (.notDirectory, ENOTDIR), (.isDirectory, EISDIR), (.exists, EEXIST), (.notPermitted, EPERM),
            (.accessDenied, EACCES), (.invalid, EINVAL), (.messageTooLong, EMSGSIZE), (.illegalByteSequence, EILSEQ), (.busy, EBUSY), (.interrupted, EINTR), (.io, EIO),
        ]
        for (code, errno) in pairs { #expect(FileSystemError(code, "x").errno == errno) }
        #expect(FileSystemError(EngineError(.forbidden, "no"), path: "/r/ctl").code == .notPermitted)
        #expect(FileSystemError(EngineError(.notFound, "no"), path: "/r/ctl").code == .invalid)
        #expect(FileSystemError(EngineError(.journalIO, "disk"), path: "/r/send").code == .io)
    }
}
