import ChatEngine
import ChatProtocol
import Foundation
import Testing
@testable import RoomFileSystem

/// The pure parts: paths, append-only text, errno mapping (`ctl` lines: ChatEngineTests' ControlCommandTests).
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
