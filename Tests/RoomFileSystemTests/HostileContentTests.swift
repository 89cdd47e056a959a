import ChatEngine
import ChatProtocol
import Foundation
import ObjectStore
import Testing
@testable import RoomFileSystem

/// Hostile members write what they like into the store (signed, but chosen
/// to hurt): every file the mount renders stays one safe line per event, the
/// lookalikes show as different, and malformed input is refused with a
/// clear errno. No kernel: the filesystem's calls, driven by hand.
@Suite(.serialized) struct HostileContentTests {
    static let escapes = "\u{1B}[31mred\u{1B}[0m \u{1B}]0;owned\u{07} \u{1B}]8;;http://evil\u{1B}\\link\u{1B}]8;;\u{1B}\\ \u{9B}2J \u{1B}P+q\u{1B}\\"
    static let bidi = "invoice\u{202E}fdp.exe\u{202C} \u{2066}\u{2067}\u{2068}x\u{2069} \u{200E}\u{200F}\u{061C} \u{202A}\u{202B}\u{202D}"
    static let invisible = "pay\u{200B}pal \u{2060}\u{FEFF}\u{00AD}\u{180E}\u{2062} \u{3164} \u{E0069}\u{E0067}\u{E006E} 😀\u{E0100}\u{E0101}\u{E0102}"
    static let lines = "one\ntwo\r\nthree\u{2028}four\u{2029}five\u{85}six\u{0B}\u{0C}seven\tcol"
    static let forged = "x\n2026-01-01T00:00:00.000Z\tabcdef012345\tuser:alice (Alice)\tmsg\tsend me your key"

    @Test func hostileMembersAndBodiesRenderAsOneSafeLineInEveryFile() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let store = MemoryStore()
        var room = try await HostileRoom(roomID: "room_hostile", store: store)
        let bob = try await MountedIdentity("bob", store: store, root: scratch.url)
        await bob.fs.discover()
        await bob.fs.syncNow()
        let path = "/room_hostile"
        // `follow` opened now sees only what arrives next.
        let follow = try await bob.call { fs throws(FileSystemError) in try fs.open("\(path)/follow", write: false, read: true).handle }
        let before = try await bob.stat("\(path)/timeline").size

        let all = [Self.escapes, Self.bidi, Self.invisible, Self.lines, Self.forged].joined(separator: " | ")
        try await room.member("m1", senderID: "user:<mallory>", keySeed: 2, displayName: all)
        // A huge display name (about 20 KB of screen-clearing escapes) and a bidi-reversed id.
        try await room.member("m2", senderID: "user:\u{202E}eve\u{200B}", keySeed: 3, displayName: String(repeating: "\u{1B}[2J", count: 5000))
        // Lookalikes of alice: a joiner, a zero-width space, a Hangul filler.
        try await room.member("m3", senderID: "user:alice\u{200D}", keySeed: 4, displayName: "Alice")
        try await room.member("m4", senderID: "user:ali\u{200B}ce", keySeed: 5, displayName: "Alice\u{3164}")

        var events: [Event] = []
        for body in [Self.escapes, Self.bidi, Self.invisible, Self.lines, Self.forged, " ", "<script>alert(1)</script>"] {
            events.append(try room.sign("m1", EventType.message, ["body": .string(body), "msgtype": "m.text"]))
        }
        let target = events[0].eventID
        events.append(try room.sign("m1", EventType.message, ["body": .string(Self.forged), "msgtype": "m.emote"]))
        events.append(try room.sign("m1", EventType.message, ["body": .string(all), "msgtype": "m.text"], parent: target))
        events.append(try room.sign("m1", EventType.reaction, ["relates_to": .string(target), "reaction": .string(Self.escapes)]))
        events.append(try room.sign("m1", EventType.edit, ["replaces": .string(target),
                                                          "new_content": ["body": .string(Self.lines), "msgtype": "m.text"]]))
        // Lines at the 64 KiB limit: plain, and dense with escapes (each ESC is 6 bytes stored, 6 shown).
        events.append(try room.sign("m1", EventType.message, ["body": .string(String(repeating: "x", count: 65_000)), "msgtype": "m.text"]))
        events.append(try room.sign("m1", EventType.message, ["body": .string(String(repeating: "\u{1B}[1m\u{202E}", count: 4_000)), "msgtype": "m.text"]))
        // Content nested as deep as the parser allows (64 levels in all), and
        // one level deeper, which is rejected.
        func nested(_ depth: Int) -> JSONValue { (0..<depth).reduce(JSONValue.string(Self.escapes)) { inner, _ in .array([inner]) } }
        events.append(try room.sign("m1", "x.nested", ["deep": nested(61)]))
        try await room.upload("m1", events)
        try await room.upload("m1", [try room.sign("m1", "x.nested", ["deep": nested(63)])])
        try await room.upload("m2", [try room.sign("m2", EventType.message, ["body": .string(Self.bidi), "msgtype": "m.text"])])
        try await room.upload("m3", [try room.sign("m3", EventType.message, ["body": "it is me, alice", "msgtype": "m.text"])])
        try await room.upload("m4", [try room.sign("m4", EventType.message, ["body": "really me", "msgtype": "m.text"])])
        try await room.upload("alice", [try room.sign("alice", EventType.topic, ["topic": .string(all)]),
                                        try room.sign("alice", EventType.topic, ["topic": ""]),
                                        try room.sign("alice", EventType.name, ["name": .string(Self.lines)])])
        // Lines no client would write: sender ids holding a newline and markup, a bad signature.
        let badSignature = String(repeating: "A", count: 86) + "=="
        let raw = [("user:evil\nuser:alice", "nl"), ("user:<b>\u{1B}[5m</b>", "esc")].map { sender, tail in
            String(decoding: CanonicalJSON.encode(.object(JSONObject([
                ("event_id", .string("room_hostile::20250101T000000.000Z::\(tail)")), ("room_id", "room_hostile"),
                ("timestamp_ms", .int(room.now + 1)), ("sender_id", .string(sender)), ("type", .string(EventType.message)),
                ("content", ["body": .string(Self.forged), "msgtype": "m.text"]), ("prev_event_hash", .null),
                ("parent_event_id", .null), ("signature", .string(badSignature)),
            ]))), as: UTF8.self)
        }
        try await room.uploadRaw("m9", raw)
        await bob.fs.syncNow()

        let timeline = try await bob.read("\(path)/timeline")
        let state = try await bob.read("\(path)/state")
        let stateObject = try #require(try JSONSerialization.jsonObject(with: Data(state.utf8)) as? [String: Any])
        let counts = try #require(stateObject["counts"] as? [String: Any])
        #expect(timeline.filter { $0 == "\n" }.count == counts["timeline_lines"] as? Int, "one line per event")
        #expect(SafeText.problems(timeline, fields: 5...5) == [])
        #expect(SafeText.problems(try await bob.read("\(path)/members"), fields: 4...5) == [])
        #expect(SafeText.problems(try await bob.read("\(path)/alerts"), fields: 5...5) == [])
        #expect(SafeText.problems(try await bob.read("\(path)/typing"), fields: nil) == [])
        #expect(SafeText.problems(try await bob.read("/me"), fields: 2...2) == [])
        #expect(SafeText.jsonProblems(state) == [] && !state.dropLast().contains("\n"))
        let stored = try await bob.read("\(path)/events.jsonl")
        #expect(SafeText.jsonProblems(stored) == [])
        #expect(stored.split(separator: "\n").count == counts["events"] as? Int)
        let thread = try await bob.read("\(path)/threads/\(EventReference.short(target))/timeline")
        #expect(thread.split(separator: "\n").count == 2 && SafeText.problems(thread, fields: 5...5) == [])
        // `follow` got exactly the new part of the timeline.
        let size = try await bob.stat("\(path)/timeline").size
        let followed = try await bob.call { fs throws(FileSystemError) -> [UInt8] in
            var out: [UInt8] = []
            while out.count < size - before { out += try fs.readBytes(handle: follow, offset: 0, count: 1 << 16) }
            fs.release(handle: follow)
            return out
        }
        #expect(String(decoding: followed, as: UTF8.self) == String(timeline.dropFirst(timeline.utf8.count - (size - before))))

        // Nobody forged a line of alice's: her lines are exactly her own events.
        let senders = timeline.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false)[2] }
        #expect(senders.filter { $0.hasPrefix("user:alice (") || $0 == "user:alice" }.count == 5, "alice's join, invite, two topics, name")
        #expect(senders.contains("user:alice\\u{200d} (Alice)") && senders.contains("user:ali\\u{200b}ce (Alice\\u{3164})"))
        #expect(senders.contains("user:<mallory> (\(TimelineLine.escape(all)))"))
        #expect(!timeline.split(separator: "\n").contains { $0.hasSuffix("\tmsg\tsend me your key") }, "the forged line stays inside its own")
        #expect(timeline.contains("\ttopic\t[empty]\n"), "an emptied topic still shows five fields")
        let longest = timeline.split(separator: "\n").map(\.utf8.count).max() ?? 0
        #expect(longest > 65_000 && longest < 200_000, "a 64 KiB event is one line of bounded length: \(longest)")

        let alerts = try await bob.read("\(path)/alerts")
        #expect(alerts.contains("\tschema\t"), "the sender id with a newline is refused: \(alerts)")
        #expect(alerts.split(separator: "\n").filter { $0.contains("\trejected\t") }.count == 3,
                "the two raw lines and the content one level too deep are rejected: \(alerts)")
        #expect(counts["timeline_lines"] as? Int == 2 + 4 + 7 + 4 + 2 + 1 + 3 + 3, "every accepted event, and only those")
    }

    /// 10,000 reactions on one message: 10,000 short lines, the timeline's
    /// memory grows by their bytes and no more, and the thread files stay small.
    @Test func tenThousandReactionsAreTenThousandBoundedLines() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let store = MemoryStore()
        var room = try await HostileRoom(roomID: "room_reactions", store: store)
        let bob = try await MountedIdentity("bob", store: store, root: scratch.url)
        await bob.fs.discover()
        try await room.member("m1", senderID: "user:mallory", keySeed: 2, displayName: "M")
        let message = try room.sign("m1", EventType.message, ["body": "react to me", "msgtype": "m.text"])
        try await room.upload("m1", [message])
        await bob.fs.syncNow()
        let before = try await bob.stat("/room_reactions/timeline").size
        for chunk in 0..<5 {
            var batch: [Event] = []
            for i in 0..<2_000 {
                batch.append(try room.sign("m1", EventType.reaction, ["relates_to": .string(message.eventID),
                                                                     "reaction": .string("\u{1B}[\(chunk * 2_000 + i)m👍\u{202E}")]))
            }
            try await room.upload("m1", batch)
        }
        await bob.fs.syncNow()
        let timeline = try await bob.read("/room_reactions/timeline")
        let added = timeline.utf8.count - before
        let reactions = timeline.split(separator: "\n").filter { $0.contains("\treact\t") }
        #expect(reactions.count == 10_000)
        #expect(SafeText.problems(timeline, fields: 5...5) == [])
        #expect(added < 10_000 * 160, "each reaction line is short: \(added / 10_000) bytes on average")
        #expect(try await bob.ls("/room_reactions/threads") == [], "reactions start no thread")
    }

    /// Names through the mount: too long, dots, controls, paths that climb.
    @Test func hostilePathsGetClearErrnos() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let alice = try await MountedIdentity("alice", store: MemoryStore(), root: scratch.url)
        try await alice.mkdir("/lobby")
        let room = try await alice.onlyRoom()
        func errno(_ body: @escaping @Sendable (RoomFileSystem) throws(FileSystemError) -> Void) async -> Int32? {
            do {
                try await alice.call(body)
                return nil
            } catch {
                #expect(!error.message.isEmpty)
                return error.errno
            }
        }
        let long = String(repeating: "a", count: 4_000)
        #expect(await errno { fs throws(FileSystemError) in _ = try fs.getattr("/\(long)") } == ENAMETOOLONG)
        #expect(await errno { fs throws(FileSystemError) in _ = try fs.getattr("/\(room)/threads/\(long)") } == ENAMETOOLONG)
        #expect(await errno { fs throws(FileSystemError) in _ = try fs.open("/\(room)/\(long)", write: false, read: true) } == ENAMETOOLONG)
        #expect(await errno { fs throws(FileSystemError) in try fs.mkdir("/\(long)") } == ENAMETOOLONG)
        #expect(await errno { fs throws(FileSystemError) in try fs.mkdir("/" + String(repeating: "é", count: 101)) } == ENAMETOOLONG)
        #expect(await errno { fs throws(FileSystemError) in _ = try fs.readdir("/\(long)") } == ENAMETOOLONG)
        #expect(await errno { fs throws(FileSystemError) in _ = try fs.getattr("/" + String(repeating: "b", count: 255)) } == ENOENT)
        #expect(await errno { fs throws(FileSystemError) in _ = try fs.getattr("/../\(room)/timeline") } == ENOENT)
        #expect(await errno { fs throws(FileSystemError) in _ = try fs.getattr("/\(room)/../\(room)/timeline") } == ENOENT)
        #expect(await errno { fs throws(FileSystemError) in _ = try fs.open("/\(room)/threads/../send", write: true, read: false) } == ENOENT)
        #expect(await errno { fs throws(FileSystemError) in try fs.mkdir("/..") } == EINVAL)
        #expect(await errno { fs throws(FileSystemError) in try fs.mkdir("/.hidden") } == EINVAL)
        #expect(await errno { fs throws(FileSystemError) in try fs.mkdir("/bell\u{07}\u{1B}[2J") } == EINVAL)
        #expect(await errno { fs throws(FileSystemError) in try fs.mkdir("/\(room)/sub") } == EPERM)
        #expect(try await alice.ls("/").filter { $0.hasPrefix("room_") } == [room], "nothing was created")
    }
}
