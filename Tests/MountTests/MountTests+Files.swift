import Foundation
import Testing

/// `ROOM/files/` through real mounts: `cp` on one side, `cmp` on the other.
extension MountTests {
    /// Alice shares a 3 MiB random file with `cp`, another with `dd`, and an
    /// empty one; Bob's mount lists them with exact sizes and reads the same
    /// bytes; shared files cannot be removed or overwritten.
    func sharedFiles(_ h: MountHarness) throws {
        let (a, b, room) = try meet(h)
        let source = h.root.appendingPathComponent("report.bin").path
        #expect(try h.shell("head -c 3145728 /dev/urandom > '\(source)'").status == 0)
        let cp = try h.shell("cp '\(source)' \(a)/\(room)/files/")
        #expect(cp.status == 0, "cp: \(cp.stderr)")
        let dd = try h.shell("dd if='\(source)' of=\(a)/\(room)/files/dd.bin bs=1M status=none")
        #expect(dd.status == 0, "dd: \(dd.stderr)")
        let empty = try h.shell(": > \(a)/\(room)/files/empty.txt")
        #expect(empty.status == 0, "an empty file: \(empty.stderr)")
        let names = ["dd.bin", "empty.txt", "report.bin"]
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(a)/\(room)/files").sorted() == names, "the writer sees them at once")
        try h.waitUntil("bob's mount lists the shared files", timeout: 30) {
            try FileManager.default.contentsOfDirectory(atPath: "\(b)/\(room)/files").sorted() == names
        }
        for name in ["report.bin", "dd.bin"] {
            let cmp = try h.shell("cmp '\(source)' \(b)/\(room)/files/\(name)", timeout: 60)
            #expect(cmp.status == 0, "\(name) read back on bob's side: \(cmp.stdout) \(cmp.stderr)")
            let size = try FileManager.default.attributesOfItem(atPath: "\(b)/\(room)/files/\(name)")[.size] as? Int
            #expect(size == 3_145_728, "stat size is exact")
        }
        let ls = try h.shell("ls -l \(b)/\(room)/files/empty.txt")
        #expect(ls.stdout.hasPrefix("-r--r--r--") && ls.stdout.contains(" 0 "), "ls -l: \(ls.stdout)")
        #expect(try h.shell("cat \(b)/\(room)/files/empty.txt").stdout.isEmpty)
        #expect(h.text("\(b)/\(room)/timeline").contains("report.bin"))

        let eperm = String(cString: strerror(EPERM))
        let rm = try h.shell("rm -f \(b)/\(room)/files/report.bin")
        #expect(rm.status != 0 && rm.stderr.contains(eperm), "rm is refused: \(rm.stderr)")
        let mv = try h.shell("mv \(a)/\(room)/files/report.bin \(a)/\(room)/files/other.bin")
        #expect(mv.status != 0, "rename is refused: \(mv.stderr)")
        let overwrite = try h.shell("echo changed > \(a)/\(room)/files/report.bin")
        #expect(overwrite.status != 0, "a shared file is write-once: \(overwrite.stderr)")
        #expect(try h.shell("cmp '\(source)' \(a)/\(room)/files/report.bin").status == 0)
        #expect(h.text("\(b)/\(room)/alerts").isEmpty, "\(h.text("\(b)/\(room)/alerts"))")
    }

    @Test func filesSharedWithCpThroughALocalFolder() throws {
        let h = try MountHarness()
        defer { h.tearDown() }
        try sharedFiles(h)
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["BUCKETCHAT_TEST_S3_ENDPOINT"] != nil,
                   "BUCKETCHAT_TEST_S3_ENDPOINT is not set: run scripts/test.sh, which starts moto_server"))
    func filesSharedWithCpThroughMotoS3() async throws {
        let h = try await MountHarness.onMotoS3(bucketPrefix: "bc-files-")
        defer { h.tearDown() }
        try sharedFiles(h)
    }
}

extension MountTests {
    /// A private room through real mounts: alice writes to `send` and `cp`s a
    /// file into `files/`; bob's mount shows the plaintext line and serves
    /// the plaintext file, while the store holds neither.
    @Test func aPrivateRoomReadsInPlaintextThroughTheMount() throws {
        let h = try MountHarness()
        defer { h.tearDown() }
        try h.identity("alice")
        try h.identity("bob")
        let created = try h.run("alice", ["room", "create", "hush", "--private", "--wait"])
        #expect(created.status == 0, "\(created.stderr)")
        let room = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let keyJSON = try h.run("bob", ["keys", "show", "--json"]).stdout
        let bobKey = try #require((try JSONSerialization.jsonObject(with: Data(keyJSON.utf8)) as? [String: String])?["public_key"])
        #expect(try h.run("alice", ["invite", room, "user:bob", "--key", bobKey, "--wait"]).status == 0)
        let a = try h.mount("alice")
        let b = try h.mount("bob")
        try h.waitUntil("bob's mount shows the private room", timeout: 20) { FileManager.default.fileExists(atPath: "\(b)/\(room)/timeline") }
        #expect(try h.shell("echo join > \(b)/\(room)/ctl").status == 0)
        try h.waitUntil("alice sees bob join", timeout: 20) { h.text("\(a)/\(room)/timeline").contains("user:bob (bob)\tjoin") }

        #expect(try h.shell("echo 'whisper: the vault code is 4711' > \(a)/\(room)/send").status == 0)
        try h.waitUntil("bob's timeline shows the plaintext", timeout: 20) {
            h.text("\(b)/\(room)/timeline").contains("\tmsg\twhisper: the vault code is 4711")
        }
        let source = h.root.appendingPathComponent("ledger.bin").path
        #expect(try h.shell("head -c 300000 /dev/urandom > '\(source)'").status == 0)
        let cp = try h.shell("cp '\(source)' \(a)/\(room)/files/")
        #expect(cp.status == 0, "cp: \(cp.stderr)")
        try h.waitUntil("bob's mount lists the file", timeout: 30) {
            (try? FileManager.default.contentsOfDirectory(atPath: "\(b)/\(room)/files")) == ["ledger.bin"]
        }
        #expect(try FileManager.default.attributesOfItem(atPath: "\(b)/\(room)/files/ledger.bin")[.size] as? Int == 300_000)
        let cmp = try h.shell("cmp '\(source)' \(b)/\(room)/files/ledger.bin", timeout: 60)
        #expect(cmp.status == 0, "the plaintext read back on bob's side: \(cmp.stdout) \(cmp.stderr)")
        let grep = try h.shell("grep -rl 'vault code' '\(h.store)' || true")
        #expect(grep.stdout.isEmpty, "plaintext in the store: \(grep.stdout)")
        #expect(h.text("\(b)/\(room)/alerts").isEmpty, "\(h.text("\(b)/\(room)/alerts"))")
    }
}
