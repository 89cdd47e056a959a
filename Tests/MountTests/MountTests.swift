import Foundation
import Testing

/// Real FUSE mounts: two identities, each with its own mount, on one store.
@Suite(.serialized, .enabled(if: MountHarness.canMount, "needs /dev/fuse and fusermount3 (apt-get install fuse3)"))
struct MountTests {
    /// Alice creates a room with mkdir and invites Bob through ctl; Bob's
    /// mount discovers it and he joins. Returns both mount points and the room id.
    func meet(_ h: MountHarness) throws -> (alice: String, bob: String, room: String) {
        try h.identity("alice")
        try h.identity("bob")
        let a = try h.mount("alice")
        let b = try h.mount("bob")
        try FileManager.default.createDirectory(atPath: a + "/lobby", withIntermediateDirectories: false)
        let room = try #require(try FileManager.default.contentsOfDirectory(atPath: a).first { $0.hasPrefix("room_") })
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: a + "/by-name/lobby") == "../" + room)
        let bobKey = h.text(b + "/me").split(separator: "\n").first { $0.hasPrefix("public_key\t") }?.split(separator: "\t").last ?? ""
        let invite = try h.shell("echo 'invite user:bob \(bobKey)' > \(a)/lobby/ctl")
        #expect(invite.status == 0, "\(invite.stderr)")
        try h.waitUntil("bob's mount shows the room he was invited to", timeout: 20) {
            FileManager.default.fileExists(atPath: "\(b)/\(room)/timeline")
        }
        let join = try h.shell("echo join > \(b)/\(room)/ctl")
        #expect(join.status == 0, "\(join.stderr)")
        try h.waitUntil("alice sees bob join", timeout: 10) { h.text("\(a)/\(room)/timeline").contains("user:bob (bob)\tjoin") }
        return (a, b, room)
    }

    func ref(of text: String, in timeline: String) -> String? {
        timeline.split(separator: "\n").first { $0.hasSuffix("\t" + text) }.map { String($0.split(separator: "\t")[1]) }
    }

    /// The whole conversation, for any store.
    func conversation(_ h: MountHarness) throws {
        let (a, b, room) = try meet(h)
        let tailOut = h.root.appendingPathComponent("tail.out")
        // GNU tail with its defaults: it polls the size once a second on FUSE.
        _ = try h.background("exec tail -n 0 -f \(a)/\(room)/timeline", as: "alice", output: tailOut)
        usleep(1_200_000)
        let sent = Date()
        #expect(try h.shell("echo 'hello from bob' > \(b)/\(room)/send").status == 0)
        try h.waitUntil("alice's tail -f shows bob's line", timeout: 3) { h.text(tailOut.path).contains("user:bob (bob)\tmsg\thello from bob") }
        let latency = Date().timeIntervalSince(sent)
        #expect(latency < 3, "delivered mount to mount in \(latency) s")

        let hello = try #require(ref(of: "hello from bob", in: h.text("\(b)/\(room)/timeline")))
        #expect(try h.shell("printf 'react \(hello) 👍\\nreply \(hello) hi bob\\n' > \(a)/\(room)/ctl").status == 0)
        #expect(try h.shell("echo 'edit \(hello) hello alice' > \(b)/\(room)/ctl").status == 0)
        #expect(try h.shell("echo oops > \(b)/\(room)/send").status == 0)
        let oops = try #require(ref(of: "oops", in: h.text("\(b)/\(room)/timeline")))
        #expect(try h.shell("echo 'redact \(oops) typo' > \(b)/\(room)/ctl").status == 0)
        #expect(try h.shell("echo 'topic launch plans' > \(a)/\(room)/ctl").status == 0)
        let expected = ["react\t\(hello) 👍", "reply\t\(hello) hi bob", "edit\t\(hello) hello alice", "redact\t\(oops) typo", "topic\tlaunch plans"]
        for (who, mount) in [("alice", a), ("bob", b)] {
            try h.waitUntil("\(who) sees every action", timeout: 10) {
                let timeline = h.text("\(mount)/\(room)/timeline")
                return expected.allSatisfy(timeline.contains)
            }
        }
        try h.waitUntil("the thread of bob's message exists on both sides", timeout: 5) {
            h.text("\(a)/\(room)/threads/\(hello)/timeline").contains("hi bob") && h.text("\(b)/\(room)/threads/\(hello)/timeline").contains("hi bob")
        }
        let forbidden = try h.shell("echo 'kick user:alice' > \(b)/\(room)/ctl")
        #expect(forbidden.status != 0 && forbidden.stderr.contains("Operation not permitted"), "only admins may kick: \(forbidden.stderr)")
        #expect(h.text("\(b)/\(room)/alerts").contains("only admins may kick"))

        try h.waitUntil("members and state agree", timeout: 10) {
            let (sa, sb) = (try state(h, "\(a)/\(room)"), try state(h, "\(b)/\(room)"))
            return h.text("\(a)/\(room)/members") == h.text("\(b)/\(room)/members")
                && sa["members"] as? NSArray == sb["members"] as? NSArray && sa["topic"] as? String == "launch plans"
                && sb["topic"] as? String == "launch plans" && sa["name"] as? String == "lobby" && sb["name"] as? String == "lobby"
        }
        #expect(h.text("\(a)/\(room)/members") == "user:alice\tjoin\talice\t1 key(s)\tadmin\nuser:bob\tjoin\tbob\t1 key(s)\n")
        let size = try #require(try FileManager.default.attributesOfItem(atPath: "\(a)/\(room)/timeline")[.size] as? Int)
        #expect(size == h.text("\(a)/\(room)/timeline").utf8.count, "stat sizes are exact")
        #expect(h.text("\(a)/\(room)/alerts").isEmpty, "no verification problem: \(h.text("\(a)/\(room)/alerts"))")
    }

    func state(_ h: MountHarness, _ room: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(h.text(room + "/state").utf8)) as? [String: Any] ?? [:]
    }

    @Test func twoMountsChatThroughALocalFolder() throws {
        let h = try MountHarness()
        defer { h.tearDown() }
        try conversation(h)
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["BUCKETCHAT_TEST_S3_ENDPOINT"] != nil,
                   "BUCKETCHAT_TEST_S3_ENDPOINT is not set: run scripts/test.sh, which starts moto_server"))
    func twoMountsChatThroughMotoS3() async throws {
        let h = try await MountHarness.onMotoS3(bucketPrefix: "bc-mount-")
        defer { h.tearDown() }
        try conversation(h)
    }

    /// `bucketchat chat` while a mount owns the rooms: it reads them on its
    /// own and acts through the mount, as `send` does; what it sends shows in
    /// both mounts' timelines and in its own output at once.
    @Test func chatActsThroughARunningMount() throws {
        let h = try MountHarness()
        defer { h.tearDown() }
        let (a, b, room) = try meet(h)
        #expect(try h.shell("echo 'lunch?' > \(b)/\(room)/send").status == 0)
        try h.waitUntil("alice's mount shows bob's line", timeout: 10) { h.text("\(a)/\(room)/timeline").contains("\tmsg\tlunch?") }
        let lunch = try #require(ref(of: "lunch?", in: h.text("\(a)/\(room)/timeline")))
        let chat = try h.shell("printf 'yes, at noon\\n/react \(lunch) 👍\\n' | \(MountHarness.products.path)/bucketchat chat lobby", as: "alice")
        #expect(chat.status == 0, "\(chat.stderr)")
        #expect(chat.stdout.contains("\tuser:bob (bob)\tmsg\tlunch?\n"), "the history first: \(chat.stdout)")
        #expect(chat.stdout.contains("\tuser:alice (alice)\tmsg\tyes, at noon\n"), "\(chat.stdout)")
        #expect(chat.stdout.contains("\treact\t\(lunch) 👍\n"), "\(chat.stdout)")
        for (who, mount) in [("alice", a), ("bob", b)] {
            try h.waitUntil("\(who)'s mount shows what the chat sent", timeout: 10) {
                let timeline = h.text("\(mount)/\(room)/timeline")
                return timeline.contains("\tuser:alice (alice)\tmsg\tyes, at noon") && timeline.contains("react\t\(lunch) 👍")
            }
        }
    }

    /// While a mount runs, every command of the same identity and store acts
    /// through it (its journal, its verified state) instead of waiting for a
    /// journal lock; a second mount is refused at once, saying where the first
    /// is; the mount killed with -9, the next command takes over and loses nothing.
    @Test func commandsOfTheSameIdentityGoThroughTheRunningMount() throws {
        let h = try MountHarness()
        defer { h.tearDown() }
        try h.identity("alice")
        let a = try h.mount("alice")
        try FileManager.default.createDirectory(atPath: a + "/lobby", withIntermediateDirectories: false)
        let room = try #require(try FileManager.default.contentsOfDirectory(atPath: a).first { $0.hasPrefix("room_") })

        let sent = try h.run("alice", ["send", "lobby", "from the command line"], timeout: 20)
        #expect(sent.status == 0, "\(sent.stderr)")
        let ref = sent.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(ref.count == 12)
        let react = try h.run("alice", ["react", room, ref, "👍"], timeout: 20)
        #expect(react.status == 0, "\(react.stderr)")
        try h.waitUntil("the mount's timeline shows what the commands did", timeout: 10) {
            let timeline = h.text("\(a)/\(room)/timeline")
            return timeline.contains("\(ref)\tuser:alice (alice)\tmsg\tfrom the command line") && timeline.contains("react\t\(ref) 👍")
        }
        let log = try h.run("alice", ["log", room, "--json"], timeout: 20)
        #expect(log.status == 0 && log.stdout.contains("from the command line"), "\(log.stderr)")
        let follow = try h.shell("timeout 3 \(MountHarness.products.path)/bucketchat follow \(room) --lines 5", as: "alice")
        #expect(follow.stdout.contains("from the command line"), "follow reads while the mount runs: \(follow.stderr)")
        let journals = try FileManager.default.contentsOfDirectory(atPath: h.root.appendingPathComponent("alice/stores").path)
        #expect(journals.count == 1, "one state folder: \(journals)")

        let second = try h.run("alice", ["mount", h.root.appendingPathComponent("second").path], timeout: 20)
        #expect(second.status == 2, "a second mount of the identity fails at once")
        #expect(second.stderr.contains("already mounted at \(a)"), "\(second.stderr)")

        // The owner killed: its socket is stale, the next command takes over.
        let daemon = try #require(h.daemon(at: a))
        kill(daemon.processIdentifier, SIGKILL)
        daemon.waitUntilExit()
        let after = try h.run("alice", ["send", room, "after the mount died", "--wait"], timeout: 30)
        #expect(after.status == 0, "\(after.stderr)")
        let text = try h.run("alice", ["log", room]).stdout
        #expect(text.contains("from the command line") && text.contains("after the mount died") && text.contains("react\t\(ref) 👍"), "\(text)")
        let verify = try h.run("alice", ["verify", h.store, "--room", room])
        #expect(verify.status == 0, "one chain, nothing lost: \(verify.stdout)")
    }

    /// One identity, two stores: a mount of store B shows none of store A's
    /// rooms and nothing written through it reaches A's rooms.
    @Test func aMountOfAnotherStoreShowsNoRoomOfTheFirst() throws {
        let h = try MountHarness()
        defer { h.tearDown() }
        try h.identity("alice")
        let a = try h.mount("alice")
        try FileManager.default.createDirectory(atPath: a + "/plans", withIntermediateDirectories: false)
        let room = try #require(try FileManager.default.contentsOfDirectory(atPath: a).first { $0.hasPrefix("room_") })
        #expect(try h.shell("echo 'on A' > \(a)/plans/send").status == 0)
        #expect(try h.run("alice", ["umount", a]).status == 0)
        let storeB = h.root.appendingPathComponent("store-b").path
        try FileManager.default.createDirectory(atPath: storeB, withIntermediateDirectories: true)
        let b = try h.mount("alice", store: storeB)
        usleep(1_000_000)
        #expect(try FileManager.default.contentsOfDirectory(atPath: b).filter { $0.hasPrefix("room_") }.isEmpty)
        let send = try h.shell("echo 'into B?' > \(b)/\(room)/send")
        #expect(send.status != 0 && send.stderr.contains("No such file"), "\(send.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: storeB).isEmpty, "nothing was written to store B")
        let verify = try h.run("alice", ["verify", h.store, "--room", room])
        #expect(verify.status == 0, "store A's room is whole: \(verify.stdout)")
    }

    /// A room written by the public reference client (a fixture in its exact
    /// format) shows in the mount once its senders' keys are trusted, marked
    /// so, and takes no write.
    @Test func aReferenceClientRoomShowsOnceItsKeysAreTrusted() throws {
        let h = try MountHarness()
        defer { h.tearDown() }
        let fixture = MountHarness.repository.appendingPathComponent("Tests/ChatProtocolTests/Fixtures/reference-room")
        try FileManager.default.createDirectory(atPath: h.store, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: fixture.appendingPathComponent("rooms"), to: URL(fileURLWithPath: h.store).appendingPathComponent("rooms"))
        try h.identity("carol")
        let keys = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: fixture.appendingPathComponent("keys.json"))) as? [String: String])
        let m = try h.mount("carol")
        usleep(1_000_000)
        #expect(!FileManager.default.fileExists(atPath: "\(m)/reference_room"), "no key trusted: nothing in it could be shown")
        for (sender, key) in keys.sorted(by: { $0.key < $1.key }) {
            let trusted = try h.run("carol", ["keys", "trust", sender, key, "--room", "reference_room"])
            #expect(trusted.status == 0, "\(trusted.stderr)")
        }
        try h.waitUntil("the mount discovers the room once its keys are trusted", timeout: 20) {
            h.text("\(m)/reference_room/timeline").contains("bob@example.com (bob@example.com)\treply\t5966eb44e0c6 Hi Alice — café at noon?")
        }
        let members = h.text("\(m)/reference_room/members")
        #expect(members.split(separator: "\n").allSatisfy { $0.hasSuffix("\ttrusted locally") }, "\(members)")
        let send = try h.shell("echo 'from bucketchat' > \(m)/reference_room/send")
        #expect(send.status != 0, "a legacy room takes no write")
        #expect(h.text("\(m)/reference_room/alerts").contains("legacy room"), "\(h.text("\(m)/reference_room/alerts"))")
    }

    @Test func aTamperedObjectShowsInAlertsAndNeverAsAMessage() throws {
        let h = try MountHarness()
        defer { h.tearDown() }
        let (a, b, room) = try meet(h)
        #expect(try h.shell("echo 'pay 10 EUR to bob' > \(a)/\(room)/send").status == 0)
        try h.waitUntil("bob sees the message", timeout: 10) { h.text("\(b)/\(room)/timeline").contains("pay 10 EUR") }
        let logs = URL(fileURLWithPath: h.store).appendingPathComponent("rooms/\(room)/logs")
        let name = try #require(try FileManager.default.subpathsOfDirectory(atPath: logs.path).first {
            h.text(logs.appendingPathComponent($0).path).contains("pay 10 EUR")
        })
        let forged = logs.appendingPathComponent(name.replacingOccurrences(of: "_alice_", with: "_mallory_"))
        try h.text(logs.appendingPathComponent(name).path).replacingOccurrences(of: "pay 10 EUR", with: "pay 99 EUR")
            .write(to: forged, atomically: true, encoding: .utf8)
        try h.waitUntil("bob's alerts report the forgery", timeout: 15) {
            let alerts = h.text("\(b)/\(room)/alerts")
            return alerts.contains("bad_signature") || alerts.contains("duplicate_conflict")
        }
        #expect(!h.text("\(b)/\(room)/timeline").contains("pay 99"))
        #expect(!h.text("\(a)/\(room)/timeline").contains("pay 99"))
        #expect(try state(h, "\(b)/\(room)")["verification"].flatMap { ($0 as? [String: Any])?["integrity_ok"] as? Bool } == false)
    }

    /// Issue 13: 2 KB of /dev/urandom written into `send` became a dozen
    /// messages of U+FFFD; through the kernel it now fails with EILSEQ and
    /// sends nothing, and so does a `ctl` line that is not UTF-8; `mkdir`
    /// of a name that is not UTF-8 made a room named U+FFFD.
    @Test func bytesThatAreNotUTF8FailWithEILSEQThroughTheMount() throws {
        let h = try MountHarness()
        defer { h.tearDown() }
        try h.identity("alice")
        let a = try h.mount("alice")
        try FileManager.default.createDirectory(atPath: a + "/lobby", withIntermediateDirectories: false)
        let before = h.text("\(a)/lobby/timeline")
        let eilseq = String(cString: strerror(EILSEQ))
        let urandom = try h.shell("printf '\\xff\\n' | cat - /dev/urandom | head -c 2048 > \(a)/lobby/send")
        #expect(urandom.status != 0 && urandom.stderr.contains(eilseq), "\(urandom.stderr)")
        let ctl = try h.shell("printf 'topic \\xfe\\n' > \(a)/lobby/ctl")
        #expect(ctl.status != 0 && ctl.stderr.contains(eilseq), "\(ctl.stderr)")
        #expect(h.text("\(a)/lobby/timeline") == before, "nothing of either write was sent")
        #expect(h.text("\(a)/lobby/alerts").components(separatedBy: "illegalByteSequence").count == 3, "\(h.text("\(a)/lobby/alerts"))")
        let mkdir = try h.shell("mkdir \(a)/$'room \\xff'")
        #expect(mkdir.status != 0 && mkdir.stderr.contains(eilseq), "a room name that is not UTF-8: \(mkdir.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: a + "/by-name") == ["lobby"], "no room named with U+FFFD")
        #expect(try h.shell("echo 'caf\u{e9} still works' > \(a)/lobby/send").status == 0)
        #expect(h.text("\(a)/lobby/timeline").hasSuffix("\tmsg\tcaf\u{e9} still works\n"))
    }

    @Test func aKilledMountDeliversItsJournalAfterRemount() throws {
        let h = try MountHarness()
        defer { h.tearDown() }
        let (a, b, room) = try meet(h)
        let umount = try h.run("alice", ["umount", a])
        #expect(umount.status == 0, "\(umount.stderr)")
        #expect(!MountHarness.isMounted(a))
        // Uploads now wait a minute: what alice sends stays in her journal.
        try h.setConfig("alice", upload: 60_000)
        try h.mount("alice", at: a)
        #expect(try h.shell("printf 'written before the crash\\nand another\\n' > \(a)/\(room)/send").status == 0)
        try h.waitUntil("alice's state shows them pending", timeout: 10) {
            ((try state(h, "\(a)/\(room)")["upload"] as? [String: Any])?["pending_events"] as? Int ?? 0) >= 2
        }
        let daemon = try #require(h.daemon(at: a))
        kill(daemon.processIdentifier, SIGKILL)
        daemon.waitUntilExit()
        try h.shell("fusermount3 -u -z \(a)")
        usleep(1_500_000)
        #expect(!h.text("\(b)/\(room)/timeline").contains("written before the crash"), "nothing was uploaded before the kill")
        try h.setConfig("alice", upload: nil)
        try h.mount("alice", at: a)
        try h.waitUntil("bob receives both messages after alice's remount", timeout: 15) {
            let timeline = h.text("\(b)/\(room)/timeline")
            return timeline.contains("msg\twritten before the crash") && timeline.contains("msg\tand another")
        }
        #expect(h.text("\(b)/\(room)/alerts").isEmpty, "the chain is unbroken: \(h.text("\(b)/\(room)/alerts"))")
    }

    /// Issue 13: after `kill -9` of its daemon a mount point is a dead
    /// endpoint (stat: ENOTCONN), and `bucketchat mount` on it failed with
    /// "A file with the same name already exists" with no hint. `umount`
    /// and `mount` now detach it and say so; the timeline reads again.
    @Test func aKilledDaemonsDeadMountIsDetachedByMountAndUmount() throws {
        let h = try MountHarness()
        defer { h.tearDown() }
        try h.identity("alice")
        let a = try h.mount("alice")
        #expect(try h.shell("mkdir \(a)/lobby && echo 'before the kill' > \(a)/lobby/send").status == 0)
        func killDaemon() throws {
            let daemon = try #require(h.daemon(at: a))
            kill(daemon.processIdentifier, SIGKILL)
            daemon.waitUntilExit()
            var info = stat()
            #expect(stat(a, &info) != 0 && errno == ENOTCONN, "a dead endpoint: Transport endpoint is not connected")
        }
        try killDaemon()
        let cleared = try h.run("alice", ["umount", a])
        #expect(cleared.status == 0, "\(cleared.stderr)")
        #expect(cleared.stdout.contains("\(a) was a dead bucketchat mount (its daemon (pid ") && cleared.stdout.contains("detached it"),
                "\(cleared.stdout)")
        #expect(!MountHarness.isMounted(a))

        try h.mount("alice", at: a)
        try h.waitUntil("the room is back", timeout: 20) { h.text("\(a)/by-name/lobby/timeline").contains("msg\tbefore the kill") }
        try killDaemon()
        let again = try h.run("alice", ["mount", a])
        #expect(again.status == 0, "mount on a dead endpoint: \(again.stderr)")
        #expect(again.stdout.contains("\(a) was a dead bucketchat mount (its daemon (pid ") && again.stdout.contains("detached it"),
                "\(again.stdout)")
        #expect(again.stdout.contains("mounted at \(a)"), "\(again.stdout)")
        try h.waitUntil("the timeline reads through the new mount", timeout: 20) {
            h.text("\(a)/by-name/lobby/timeline").contains("msg\tbefore the kill")
        }
        #expect(try h.shell("echo 'after the remount' > \(a)/lobby/send && grep -q 'msg\tafter the remount' \(a)/lobby/timeline").status == 0)
        let unmounted = try h.run("alice", ["umount", a])
        #expect(unmounted.status == 0, "\(unmounted.stderr)")
        #expect(unmounted.stdout.contains("unmounted \(a); its daemon (pid "), "umount says what it did: \(unmounted.stdout)")
        #expect(!MountHarness.isMounted(a))
    }

    /// Only a dead endpoint is detached: a live mount of another filesystem
    /// on the folder is refused, and left alone.
    @Test func aLiveMountOfAnotherFilesystemIsRefusedAndLeftAlone() throws {
        let h = try MountHarness()
        defer { h.tearDown() }
        try h.identity("alice")
        let path = h.root.appendingPathComponent("mnt-tmpfs").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        guard try h.shell("mount -t tmpfs bucketchat-test-tmpfs '\(path)'").status == 0 else {
            print("cannot mount a tmpfs here (not root?); skipped")
            return
        }
        defer { _ = try? h.shell("umount -l '\(path)'") }
        let refused = try h.run("alice", ["mount", path])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("\(path) is already a mount point (tmpfs of bucketchat-test-tmpfs), and it is alive"), "\(refused.stderr)")
        let notOurs = try h.run("alice", ["umount", path])
        #expect(notOurs.status == 2 && notOurs.stderr.contains("is not a bucketchat mount"), "\(notOurs.stderr)")
        #expect(MountHarness.isMounted(path), "the tmpfs is still mounted")
    }

    @Test func theEchoBotAnswers() throws {
        let h = try MountHarness()
        defer { h.tearDown() }
        let (a, b, room) = try meet(h)
        let bot = MountHarness.repository.appendingPathComponent("examples/echo-bot.sh").path
        _ = try h.background("exec bash \(bot) \(a)/by-name/lobby", as: "alice", output: h.root.appendingPathComponent("bot.out"))
        usleep(1_500_000)
        #expect(try h.shell("echo '!echo ping pong' > \(b)/\(room)/send").status == 0)
        try h.waitUntil("the bot answers in bob's timeline", timeout: 10) {
            h.text("\(b)/\(room)/timeline").contains("user:alice (alice)\tmsg\techo: ping pong")
        }
        #expect(try h.shell("echo 'not for the bot' > \(b)/\(room)/send").status == 0)
        usleep(2_000_000)
        #expect(h.text("\(b)/\(room)/timeline").components(separatedBy: "\techo: ").count == 2, "one answer, to the one command")
    }

    /// Issue 13: killing the echo bot's pid left its `tail` and its loop
    /// running, and answering. On SIGTERM and on SIGINT it now ends with
    /// every process it started, and nothing answers any more.
    @Test func theEchoBotEndsWithItsChildrenOnSIGTERMAndSIGINT() throws {
        let h = try MountHarness()
        defer { h.tearDown() }
        let (a, b, room) = try meet(h)
        let script = MountHarness.repository.appendingPathComponent("examples/echo-bot.sh").path
        for (signal, name) in [(SIGTERM, "SIGTERM"), (SIGINT, "SIGINT")] {
            // background() starts it with no signal blocked, as a shell would.
            let bot = try h.background("exec bash \(script) \(a)/by-name/lobby", as: "alice",
                                       output: h.root.appendingPathComponent("bot-\(name).out"))
            usleep(1_500_000)
            #expect(try h.shell("echo '!echo before \(name)' > \(b)/\(room)/send").status == 0)
            try h.waitUntil("the bot answers before \(name)", timeout: 10) { h.text("\(b)/\(room)/timeline").contains("\techo: before \(name)") }
            let family = descendants(of: bot.processIdentifier)
            #expect(!family.isEmpty, "the bot runs tail: \(family)")
            kill(bot.processIdentifier, signal)
            // Foundation sees the bot end only when every process holding its exit socket has.
            try h.waitUntil("\(name) ends the bot and what it started", timeout: 5) { !bot.isRunning }
            try h.waitUntil("\(name) ends every process the bot started (\(family))", timeout: 5) { family.allSatisfy { !isAlive($0) } }
            #expect(try h.shell("echo '!echo after \(name)' > \(b)/\(room)/send").status == 0)
            usleep(2_500_000)
            #expect(!h.text("\(b)/\(room)/timeline").contains("echo: after \(name)"), "nothing answers after \(name)")
        }
    }

    /// Every process below `pid`, from /proc.
    func descendants(of pid: Int32) -> [Int32] {
        let all = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap(Int32.init)
        var parents: [Int32: Int32] = [:]
        for child in all {
            // /proc/PID/stat: PID (COMM) STATE PPID ...; COMM may hold spaces, so split after its last ')'.
            guard let stat = try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, let parent = Int32(fields[1]) { parents[child] = parent }
        }
        var found: [Int32] = []
        var frontier = [pid]
        while let next = frontier.popLast() {
            let children = parents.filter { $0.value == next }.map(\.key)
            found += children
            frontier += children
        }
        return found
    }

    /// Whether a process exists and is not a zombie.
    func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return false }
        return stat[stat.index(after: close)...].split(separator: " ").first != "Z"
    }

    @Test func daemonizesAndUnmountsCleanlyOnUmountAndSIGTERM() throws {
        let h = try MountHarness()
        defer { h.tearDown() }
        try h.identity("alice")
        let path = h.root.appendingPathComponent("mnt-daemon").path
        let mounted = try h.run("alice", ["mount", path], timeout: 60)
        #expect(mounted.status == 0, "\(mounted.stderr)")
        #expect(mounted.stdout.contains("mounted at \(path)"))
        #expect(MountHarness.isMounted(path))
        #expect(try h.shell("mkdir \(path)/lobby && echo 'hello' > \(path)/lobby/send && grep -q 'msg\thello' \(path)/lobby/timeline").status == 0)
        let again = try h.run("alice", ["mount", path])
        #expect(again.status != 0 && again.stderr.contains("already mounted"))
        let unmounted = try h.run("alice", ["umount", path])
        #expect(unmounted.status == 0, "\(unmounted.stderr)")
        #expect(!MountHarness.isMounted(path))
        let log = h.text(h.root.appendingPathComponent("alice/mount.log").path)
        #expect(log.contains("unmounted; uploading what is journaled") && log.contains("stopped"), "\(log)")

        let foreground = try h.mount("alice", at: path)
        // Rooms load in the background after the mount is up; the journal brings this one back.
        try h.waitUntil("the room is mounted again from its journal", timeout: 20) {
            FileManager.default.fileExists(atPath: foreground + "/by-name/lobby")
        }
        let daemon = try #require(h.daemon(at: foreground))
        daemon.terminate()
        try h.waitUntil("SIGTERM ends the mount", timeout: 20) { !daemon.isRunning }
        #expect(daemon.terminationStatus == 0)
        #expect(!MountHarness.isMounted(foreground))
        let verify = try h.run("alice", ["verify", h.store, "--room", try #require(
            try FileManager.default.contentsOfDirectory(atPath: h.store + "/rooms").first)])
        #expect(verify.status == 0, "what the mount uploaded verifies: \(verify.stdout)")
    }

    /// The short form of scripts/bench/kill-loop.sh (50 runs by hand): the
    /// daemon is SIGKILLed at random moments while a writer sends, and every
    /// write() that returned success arrives exactly once.
    @Test func aSIGKILLLoopLosesAndDuplicatesNoAcknowledgedMessage() throws {
        let h = try MountHarness()
        defer { h.tearDown() }
        let script = MountHarness.repository.appendingPathComponent("scripts/bench/kill-loop.sh").path
        let binary = MountHarness.products.appendingPathComponent("bucketchat").path
        let out = try h.shell("KILL_LOOP_BIN='\(binary)' bash '\(script)' 4 folder", timeout: 400)
        let summary = try #require(out.stdout.split(separator: "\n").last { $0.hasPrefix("kill-loop: runs") }, "\(out.stdout)\n\(out.stderr)")
        func figure(_ name: String) -> Int? {
            summary.components(separatedBy: ", ").first { $0.hasPrefix(name + " ") || $0.hasPrefix("kill-loop: runs") && name == "runs" }
                .flatMap { Int($0.split(separator: " ").last ?? "") }
        }
        #expect(out.status == 0, "\(out.stdout)\n\(out.stderr)")
        #expect(figure("runs") == 4)
        #expect((figure("acknowledged") ?? 0) > 0, "the writer got messages through: \(summary)")
        #expect(figure("lost") == 0 && figure("duplicated") == 0, "\(summary)")
        #expect(figure("delivered") == figure("acknowledged"), "\(summary)")
    }

    /// Hostile text and names through the kernel: what `cat` gets holds no
    /// raw escape, bidi or invisible scalar; long names and climbing paths
    /// give clear errnos; 1,000 reactions written through `ctl` keep the
    /// daemon's memory bounded (10,000 are rendered in HostileContentTests:
    /// through `ctl` each is its own journaled action, minutes for 10,000).
    @Test func hostileContentAndPathsThroughARealMount() throws {
        let h = try MountHarness()
        defer { h.tearDown() }
        try h.identity("alice")
        let a = try h.mount("alice")
        try FileManager.default.createDirectory(atPath: a + "/lobby", withIntermediateDirectories: false)
        let room = try #require(try FileManager.default.contentsOfDirectory(atPath: a).first { $0.hasPrefix("room_") })
        let sent = try h.shell("printf 'red \\033[31mX\\033]0;t\\007 \\342\\200\\256fdp.exe \\342\\200\\213zw \\357\\273\\277bom \\302\\233csi\\n' > \(a)/lobby/send")
        #expect(sent.status == 0, "\(sent.stderr)")
        let raw = try #require(FileManager.default.contents(atPath: "\(a)/\(room)/timeline"))
        let text = String(decoding: raw, as: UTF8.self)
        #expect(text.contains("\tmsg\tred \\u{1b}[31mX\\u{1b}]0;t\\u{7} \\u{202e}fdp.exe \\u{200b}zw \\u{feff}bom \\u{9b}csi\n"), "\(text)")
        #expect(!raw.contains(0x1B) && !text.unicodeScalars.contains { [0x202E, 0x200B, 0xFEFF, 0x9B].contains($0.value) })

        func failure(_ body: () -> Int32) -> Int32 { body() == 0 ? 0 : errno }
        let long = String(repeating: "a", count: 4_000), mid = String(repeating: "b", count: 300)
        var st = stat()
        #expect(failure { stat("\(a)/\(long)", &st) } == ENAMETOOLONG, "the kernel's own limit (1,024)")
        #expect(failure { stat("\(a)/\(mid)", &st) } == ENAMETOOLONG, "the daemon's (255)")
        #expect(failure { stat("\(a)/\(room)/threads/\(mid)", &st) } == ENAMETOOLONG)
        #expect(failure { mkdir("\(a)/\(long)", 0o700) } == ENAMETOOLONG)
        #expect(failure { mkdir("\(a)/" + String(repeating: "c", count: 220), 0o700) } == ENAMETOOLONG, "room names stop at 200 bytes")
        #expect(failure { mkdir("\(a)/.hidden", 0o700) } == EINVAL)
        #expect(failure { mkdir("\(a)/\(room)/sub", 0o700) } == EPERM)
        #expect(failure { open("\(a)/\(room)/threads/nosuchref/send", O_WRONLY) } == ENOENT)
        #expect(failure { open("\(a)/\(room)/\(mid)", O_RDONLY) } == ENAMETOOLONG)
        #expect(failure { stat("\(a)/\(room)/threads/../../\(room)/timeline", &st) } == 0, "the kernel resolves .. inside the mount")

        let ref = try #require(text.split(separator: "\n").last.map { String($0.split(separator: "\t")[1]) })
        let daemon = try #require(h.daemon(at: a))
        func rssKiB() -> Int {
            let status = h.text("/proc/\(daemon.processIdentifier)/status")
            return status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }.flatMap { Int($0.split(separator: " ")[1]) } ?? 0
        }
        let before = rssKiB()
        let reactions = (0..<1_000).map { "react \(ref) \\033[\($0)m👍\\342\\200\\256" }.joined(separator: "\\n")
        let script = h.root.appendingPathComponent("reactions.txt")
        try reactions.write(to: script, atomically: true, encoding: .utf8)
        let started = Date()
        let reacted = try h.shell("printf \"$(cat \(script.path))\\n\" > \(a)/lobby/ctl", timeout: 300)
        print("1,000 reactions through one write to ctl: \(Date().timeIntervalSince(started)) s")
        #expect(reacted.status == 0, "\(reacted.stderr)")
        try h.waitUntil("1,000 reactions are in the timeline", timeout: 120) {
            h.text("\(a)/\(room)/timeline").components(separatedBy: "\treact\t").count == 1_001
        }
        let after = rssKiB()
        print("daemon RSS before 1,000 reactions: \(before / 1024) MiB, after: \(after / 1024) MiB")
        #expect(after - before < 64 * 1024, "resident memory grows by \((after - before) / 1024) MiB for 1,000 reactions")
        let timeline = h.text("\(a)/\(room)/timeline")
        #expect(!timeline.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x202E })
        #expect(timeline.split(separator: "\n").allSatisfy { $0.split(separator: "\t", omittingEmptySubsequences: false).count == 5 })
    }
}
