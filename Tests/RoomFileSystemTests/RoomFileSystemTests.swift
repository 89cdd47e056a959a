import ChatEngine
import ChatProtocol
import Foundation
import ObjectStore
import Testing
@testable import RoomFileSystem

/// One identity's mount, its operations called directly (no kernel).
@Suite(.serialized) struct RoomFileSystemTests {
    @Test func mkdirCreatesARoomReachableByIdNameAndLink() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let alice = try await MountedIdentity("alice", store: MemoryStore(), root: scratch.url)
        try await alice.mkdir("/lobby")
        let room = try await alice.onlyRoom()
        #expect(try await alice.ls("/").sorted() == ["by-name", "me", room].sorted())
        #expect(try await alice.ls("/by-name") == ["lobby"])
        #expect(try alice.fs.readlink("/by-name/lobby") == "../\(room)")
        #expect(try await alice.stat("/lobby").kind == .directory)
        #expect(try await alice.read("/lobby/timeline").contains("\tuser:alice (Alice)\tjoin\tjoined"), "the creator's join shows at once")
        await #expect(throws: FileSystemError.self) { try await alice.mkdir("/lobby") }
        do {
            try await alice.mkdir("/\(room)/threads/x")
            Issue.record("mkdir inside a room must fail")
        } catch {
            #expect(error.errno == EPERM)
        }
        try await alice.settle()
        let state = try await alice.read("/\(room)/state")
        #expect(state.contains("\"name\":\"lobby\"") && state.contains("\"metadata_pending\":false") && state.contains("\"pending_events\":0"))
    }

    @Test func sentLinesShowAtOnceAndSizesAreExact() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let alice = try await MountedIdentity("alice", store: MemoryStore(), root: scratch.url)
        try await alice.mkdir("/lobby")
        try await alice.write("/lobby/send", "first\nsecond\nno newline")
        let timeline = try await alice.read("/lobby/timeline")
        let lines = timeline.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
        #expect(lines.map { $0.count } == [5, 5, 5, 5], "TIME REF SENDER KIND TEXT")
        #expect(lines.dropFirst().map { String($0[4]) } == ["first", "second", "no newline"])
        #expect(try await alice.stat("/lobby/timeline").size == timeline.utf8.count)
        try await alice.settle()
        #expect(try await alice.read("/lobby/timeline") == timeline, "confirmed events are not shown twice")
        let events = try await alice.read("/lobby/events.jsonl")
        #expect(events.split(separator: "\n").count == 4)
        #expect(try await alice.stat("/lobby/events.jsonl").size == events.utf8.count)
        #expect(try await alice.stat("/lobby/send").size == 0)
    }

    @Test func aMessageOverTheLimitFailsWithEMSGSIZEAndSendsNothing() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let alice = try await MountedIdentity("alice", store: MemoryStore(), root: scratch.url)
        try await alice.mkdir("/lobby")
        let before = try await alice.read("/lobby/timeline")
        for text in [String(repeating: "x", count: 70_000) + "\n", "ok line\n" + String(repeating: "y", count: 65_400) + "\n"] {
            do {
                try await alice.write("/lobby/send", text, chunk: 1 << 20)
                Issue.record("an over-limit message must fail")
            } catch {
                #expect(error.errno == EMSGSIZE)
                #expect(error.message.contains("64 KiB"))
            }
        }
        #expect(try await alice.read("/lobby/timeline") == before, "nothing of a refused write was sent")
        #expect(try await alice.read("/lobby/alerts").contains("messageTooLong"))
    }

    /// 2 KB of /dev/urandom written to `send` used to become a dozen
    /// messages full of U+FFFD; bytes that are not UTF-8 now fail the write
    /// (and `ctl`'s, and close's for a last line) with EILSEQ, like an
    /// over-long line: nothing of that write is sent.
    @Test func invalidUTF8FailsWithEILSEQAndSendsNothing() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let alice = try await MountedIdentity("alice", store: MemoryStore(), root: scratch.url)
        try await alice.mkdir("/lobby")
        let before = try await alice.read("/lobby/timeline")
        var random = SystemRandomNumberGenerator()
        let urandom = [0xFF, 0x0A] + (0..<2048).map { _ in UInt8.random(in: 0...255, using: &random) }
        let refused: [(path: String, bytes: [UInt8])] = [
            ("/lobby/send", urandom),
            ("/lobby/send", Array("a good line\nthen a bad one \u{e9}\n".utf8) + [0xC3, 0x28, 0x0A]),
            ("/lobby/send", Array("no newline, a lone continuation byte: ".utf8) + [0x80]),
            ("/lobby/send", Array("an overlong slash ".utf8) + [0xC0, 0xAF, 0x0A]),
            ("/lobby/send", Array("a surrogate ".utf8) + [0xED, 0xA0, 0x80, 0x0A]),
            ("/lobby/ctl", Array("topic ".utf8) + [0xFE, 0x0A]),
            ("/lobby/ctl", Array("name ".utf8) + [0xE2, 0x82]),
        ]
        for (path, bytes) in refused {
            do {
                try await alice.write(path, bytes: bytes)
                Issue.record("\(path): \(bytes.prefix(40)) must fail")
            } catch {
                #expect(error.errno == EILSEQ, "\(path): \(error)")
                #expect(error.message.contains(path) && error.message.contains("UTF-8"), "\(error.message)")
            }
        }
        #expect(try await alice.read("/lobby/timeline") == before, "nothing of a refused write was sent")
        #expect(try await alice.read("/lobby/alerts").contains("illegalByteSequence"))
        // A character split between two writes (a pipe's 4 KiB pieces) is still one character.
        try await alice.write("/lobby/send", "caf\u{e9} \u{1F44D}\n", chunk: 1)
        #expect(try await alice.read("/lobby/timeline").hasSuffix("\tmsg\tcaf\u{e9} \u{1F44D}\n"))
    }

    @Test func malformedControlLinesFailWithEINVALAndDoNothing() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let alice = try await MountedIdentity("alice", store: MemoryStore(), root: scratch.url)
        try await alice.mkdir("/lobby")
        try await alice.write("/lobby/send", "hello\n")
        let ref = try #require(try await alice.read("/lobby/timeline").split(separator: "\n").last?.split(separator: "\t")[1])
        let before = try await alice.read("/lobby/timeline")
        for bad in ["react \(ref)\n", "topic ok\nfrobnicate\n", "react nosuchref 👍\n", "invite user:bob not-base64\n"] {
            do {
                try await alice.write("/lobby/ctl", bad)
                Issue.record("\(bad) must fail")
            } catch {
                #expect(error.errno == EINVAL, "\(bad): \(error)")
            }
        }
        #expect(try await alice.read("/lobby/timeline") == before, "a write with a bad line does nothing, not even its good lines")
        let alerts = try await alice.read("/lobby/alerts")
        #expect(alerts.contains("needs REF EMOJI") && alerts.contains("unknown command \"frobnicate\"") && alerts.contains("nosuchref"))
        try await alice.write("/lobby/ctl", "react \(ref) 👍\nedit \(ref) hello there\nreply \(ref) in thread\ntopic plans\nname Lobby 2\n")
        let timeline = try await alice.read("/lobby/timeline")
        #expect(timeline.contains("react\t\(ref) 👍") && timeline.contains("edit\t\(ref) hello there")
                && timeline.contains("reply\t\(ref) in thread") && timeline.contains("topic\tplans") && timeline.contains("name\tLobby 2"))
        try await alice.write("/lobby/ctl", "redact \(ref) typo")
        #expect(try await alice.read("/lobby/timeline").contains("redact\t\(ref) typo"))
        try await alice.settle()
        let room = try await alice.onlyRoom()
        #expect(try await alice.ls("/by-name") == ["Lobby 2"], "a rename shows in by-name after sync")
        #expect(try await alice.read("/\(room)/state").contains("\"topic\":\"plans\""))
    }

    @Test func repliesMakeThreadsAndThreadSendReplies() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let alice = try await MountedIdentity("alice", store: MemoryStore(), root: scratch.url)
        try await alice.mkdir("/lobby")
        try await alice.write("/lobby/send", "question?\n")
        let ref = String(try #require(try await alice.read("/lobby/timeline").split(separator: "\n").last?.split(separator: "\t")[1]))
        #expect(try await alice.ls("/lobby/threads") == [])
        #expect(try await alice.stat("/lobby/threads/\(ref)").kind == .directory, "any message's REF opens its (empty) thread")
        try await alice.write("/lobby/threads/\(ref)/send", "answer one\n")
        try await alice.write("/lobby/ctl", "reply \(ref) answer two\n")
        #expect(try await alice.ls("/lobby/threads") == [ref])
        let thread = try await alice.read("/lobby/threads/\(ref)/timeline").split(separator: "\n")
        #expect(thread.count == 3)
        #expect(thread[0].hasSuffix("msg\tquestion?") && thread[1].hasSuffix("reply\t\(ref) answer one") && thread[2].hasSuffix("reply\t\(ref) answer two"))
        await #expect(throws: FileSystemError.self) { try await alice.stat("/lobby/threads/000000000000") }
    }

    @Test func permissionsAreHonestAndStructureIsFixed() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let alice = try await MountedIdentity("alice", store: MemoryStore(), root: scratch.url)
        try await alice.mkdir("/lobby")
        #expect(try await alice.stat("/lobby/timeline").mode == 0o400)
        #expect(try await alice.stat("/lobby/send").mode == 0o200)
        #expect(try await alice.stat("/lobby/ctl").mode == 0o200)
        #expect(try await alice.stat("/lobby/typing").mode == 0o600)
        #expect(try await alice.stat("/").mode == 0o700)
        func errno(_ body: @escaping @Sendable (RoomFileSystem) throws(FileSystemError) -> Void) async -> Int32? {
            do {
                try await alice.call(body)
                return nil
            } catch {
                return error.errno
            }
        }
        #expect(await errno { fs throws(FileSystemError) in _ = try fs.open("/lobby/send", write: false, read: true) } == EACCES)
        #expect(await errno { fs throws(FileSystemError) in _ = try fs.open("/lobby/timeline", write: true, read: false) } == EACCES)
        #expect(await errno { fs throws(FileSystemError) in try fs.truncate("/lobby/timeline", size: 0) } == EACCES)
        #expect(await errno { fs throws(FileSystemError) in throw fs.refuseStructureChange("/lobby", "remove a directory") } == EPERM)
        #expect(await errno { fs throws(FileSystemError) in _ = try fs.getattr("/nosuchroom/timeline") } == ENOENT)
        #expect(await errno { fs throws(FileSystemError) in _ = try fs.readdir("/lobby/timeline") } == ENOTDIR)
        #expect(await errno { fs throws(FileSystemError) in _ = try fs.open("/lobby", write: false, read: true) } == EISDIR)
        let me = try await alice.read("/me")
        #expect(me.hasPrefix("sender_id\tuser:alice\ndisplay_name\tAlice\npublic_key\t"))
    }

    @Test func followBlocksUntilTheNextLineAndEndsOnInterrupt() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let alice = try await MountedIdentity("alice", store: MemoryStore(), root: scratch.url)
        try await alice.mkdir("/lobby")
        let follow = try await alice.call { fs throws(FileSystemError) in try fs.open("/lobby/follow", write: false, read: true) }
        #expect(follow.directIO && follow.nonSeekable)
        #expect(try alice.fs.poll(handle: follow.handle, notify: nil) == false, "nothing new yet: not readable")
        let woken = Flag()
        _ = try alice.fs.poll(handle: follow.handle, notify: { woken.set() })
        async let line = alice.call { fs throws(FileSystemError) -> String in
            String(decoding: try fs.readBytes(handle: follow.handle, offset: 0, count: 4096), as: UTF8.self)
        }
        try await Task.sleep(for: .milliseconds(300))
        try await alice.write("/lobby/send", "wake up\n")
        #expect(try await line.hasSuffix("msg\twake up\n"), "the blocked read returns the new line")
        #expect(woken.value, "the kernel's poll handle was notified")
        let interrupted = Flag()
        async let ended: Int32? = {
            do {
                _ = try await alice.call { fs throws(FileSystemError) in
                    try fs.readBytes(handle: follow.handle, offset: 0, count: 16, interrupted: { interrupted.value })
                }
                return nil
            } catch let error as FileSystemError {
                return error.errno
            } catch {
                return nil
            }
        }()
        try await Task.sleep(for: .milliseconds(300))
        interrupted.set()
        #expect(await ended == EINTR)
        alice.fs.release(handle: follow.handle)
    }

    @Test func typingIsWrittenAndReadBack() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let alice = try await MountedIdentity("alice", store: MemoryStore(), root: scratch.url)
        try await alice.mkdir("/lobby")
        try await alice.settle()
        #expect(try await alice.read("/lobby/typing") == "")
        try await alice.write("/lobby/typing", "1\n")
        try await alice.settle()
        #expect(try await alice.read("/lobby/typing") == "user:alice (Alice)\n")
        #expect(try await alice.stat("/lobby/typing").size == "user:alice (Alice)\n".utf8.count)
        try await alice.write("/lobby/typing", "off\n")
        try await alice.settle()
        #expect(try await alice.read("/lobby/typing") == "")
        #expect(!(try await alice.read("/lobby/timeline")).contains("typing"), "typing is not a timeline line")
    }

    @Test func fsyncOnSendWaitsUntilUploaded() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let alice = try await MountedIdentity("alice", store: MemoryStore(), root: scratch.url)
        try await alice.mkdir("/lobby")
        await alice.fs.syncNow()
        try await alice.call { fs throws(FileSystemError) in
            let file = try fs.open("/lobby/send", write: true, read: false)
            defer { fs.release(handle: file.handle) }
            _ = try fs.writeBytes(handle: file.handle, Array("durable\n".utf8))
            try fs.fsync(handle: file.handle)
        }
        let room = try await alice.onlyRoom()
        let session = try #require(alice.fs.locked { alice.fs.rooms[room]?.session })
        #expect(await session.outbox.status.pendingEvents == 0, "fsync returned after the upload")
    }

    @Test func aLargeTimelineReadsNearItsEndWithoutRendering() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let alice = try await MountedIdentity("alice", store: MemoryStore(), root: scratch.url)
        try await alice.mkdir("/lobby")
        let lines = (0..<5000).map { "message number \($0)" }.joined(separator: "\n") + "\n"
        try await alice.write("/lobby/send", lines, chunk: 128 * 1024)
        let size = try await alice.stat("/lobby/timeline").size
        let tail = try await alice.call { fs throws(FileSystemError) -> String in
            let file = try fs.open("/lobby/timeline", write: false, read: true)
            defer { fs.release(handle: file.handle) }
            return String(decoding: try fs.readBytes(handle: file.handle, offset: size - 200, count: 200), as: UTF8.self)
        }
        #expect(tail.hasSuffix("msg\tmessage number 4999\n"))
        try await alice.settle()
        #expect(try await alice.read("/lobby/state").contains("\"events\":5001"))
    }
}

/// A flag set from another thread.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var isSet = false

    func set() { lock.withLock { isSet = true } }
    var value: Bool { lock.withLock { isSet } }
}
