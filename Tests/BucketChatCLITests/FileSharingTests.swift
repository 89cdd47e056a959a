import Foundation
import Testing

/// Two identities share files both ways with nothing but the command line:
/// `send --file`, `files`, `download`, through a folder, moto S3 (SigV4 and a
/// policy that grants no delete) and fake GCS.
@Suite struct FileSharingTests {
    let flow = ChatFlowTests()

    /// `count` random bytes in a new file under `folder`.
    func randomFile(_ folder: URL, _ name: String, count: Int) throws -> URL {
        var bytes = [UInt8](repeating: 0, count: count)
        var generator = SystemRandomNumberGenerator()
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255, using: &generator) }
        let url = folder.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url
    }

    /// The REF of the file named `name` in `files` output (NAME, SIZE, SENDER, TIME, REF).
    func reference(_ listing: String, named name: String) -> String? {
        listing.split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }.first { $0.first == name }?.last
    }

    /// Alice shares files of the given sizes, Bob downloads each and shares one back.
    @discardableResult
    func shareBothWays(store: String, extra: [String: String] = [:], sizes: [Int]) throws -> (alice: ChatFlowTests.Person, bob: ChatFlowTests.Person, room: String, root: URL) {
        let (alice, bob, root) = try flow.people(store: store, extra: extra)
        _ = try alice.ok(["init", "--name", "alice"])
        _ = try bob.ok(["init", "--name", "bob"])
        let room = try alice.ok(["room", "create", "Files", "--public", "--wait"])
        _ = try bob.ok(["join", room, "--wait"])
        let work = root.appendingPathComponent("work")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        for size in sizes {
            let file = try randomFile(work, "file-\(size).bin", count: size)
            let ref = try alice.ok(["send", room, "--file", file.path, "--caption", "size \(size)", "--wait"])
            #expect(ref.count == 12, "send --file prints the REF: \(ref)")
        }
        let listing = try bob.ok(["files", room])
        for size in sizes {
            let ref = try #require(reference(listing, named: "file-\(size).bin"), "\(listing)")
            #expect(listing.contains("file-\(size).bin\t\(size)\tuser:alice\t"))
            let out = work.appendingPathComponent("got-\(size).bin")
            _ = try bob.ok(["download", room, ref, "-o", out.path])
            #expect(try Data(contentsOf: out) == Data(contentsOf: work.appendingPathComponent("file-\(size).bin")), "size \(size)")
        }
        // And back: Bob shares under another name, Alice reads it on stdout.
        let back = try randomFile(work, "back.txt", count: 1000)
        let ref = try bob.ok(["send", room, "--file", back.path, "--name", "answer.txt", "--wait"])
        let piped = try alice.cli.shell("\"$BUCKETCHAT\" download \(room) \(ref) -o - | sha256sum")
        let expected = try alice.cli.shell("sha256sum < \(back.path)")
        #expect(piped.status == 0 && piped.stdout == expected.stdout, "\(piped.stderr)")
        #expect(try alice.ok(["log", room]).contains("\(ref)\tuser:bob (bob)\tfile\tanswer.txt [answer.txt, 1000 bytes, text/plain, sha256 "))
        return (alice, bob, room, root)
    }

    @Test func filesBothWaysThroughAFolderAndATamperedBlobIsRefused() throws {
        let store = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: store) }
        let (alice, _, room, root) = try shareBothWays(store: store.path, sizes: [0, 1, 3_000_000])
        defer { try? FileManager.default.removeItem(at: root) }

        // Someone with write access changes a blob's bytes under the same key.
        let listing = try alice.ok(["files", room, "--json"])
        let big = try #require(listing.split(separator: "\n").first { $0.contains("file-3000000.bin") })
        let sha = try #require((try JSONSerialization.jsonObject(with: Data(big.utf8)) as? [String: Any])?["sha256"] as? String)
        let ref = try #require(reference(try alice.ok(["files", room]), named: "file-3000000.bin"))
        let blob = store.appendingPathComponent("rooms/\(room)/attachments/\(sha)")
        var bytes = try Data(contentsOf: blob)
        bytes[1000] ^= 0xFF
        try FileManager.default.removeItem(at: blob)
        try bytes.write(to: blob)

        // A reader that has not fetched it yet gets an error and no file.
        let carol = flow.person("carol", root: root, store: store.path)
        _ = try carol.ok(["init", "--name", "carol"])
        let out = root.appendingPathComponent("tampered.bin")
        let refused = try carol.run(["download", room, ref, "-o", out.path])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("file-3000000.bin") && refused.stderr.contains("sha256"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path))
        let again = try carol.run(["download", room, ref, "-o", out.path])
        #expect(again.status == 1, "nothing was cached as good")
        let verify = try carol.run(["verify", "--store", store.path, "--room", room, "--attachments", "--json"])
        #expect(verify.status == 1)
        #expect(verify.stdout.contains("attachment_mismatch"), "\(verify.stdout)")

        // A missing blob: a clear error, not a crash.
        let small = try #require(reference(try alice.ok(["files", room]), named: "file-1.bin"))
        let smallLine = try #require(try alice.ok(["files", room, "--json"]).split(separator: "\n").first { $0.contains("file-1.bin") })
        let smallSHA = try #require((try JSONSerialization.jsonObject(with: Data(smallLine.utf8)) as? [String: Any])?["sha256"] as? String)
        try FileManager.default.removeItem(at: store.appendingPathComponent("rooms/\(room)/attachments/\(smallSHA)"))
        let missing = try carol.run(["download", room, small, "-o", root.appendingPathComponent("missing.bin").path])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("file-1.bin"), "\(missing.stderr)")
    }

    @Test func namesThatCouldEscapeOrMisleadAreRefusedAndNothingIsSent() throws {
        let store = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: store) }
        let (alice, _, root) = try flow.people(store: store.path)
        defer { try? FileManager.default.removeItem(at: root) }
        _ = try alice.ok(["init", "--name", "alice"])
        let room = try alice.ok(["room", "create", "Names", "--wait"])
        let file = try randomFile(root, "plain.bin", count: 10)
        for name in ["../etc/passwd", "a/b", "two\nlines", String(repeating: "n", count: 300), "evil\u{202E}txt.exe"] {
            let refused = try alice.run(["send", room, "--file", file.path, "--name", name])
            #expect(refused.status != 0, "\(name.debugDescription) was accepted")
            #expect(refused.stdout.isEmpty)
        }
        let missing = try alice.run(["send", room, "--file", root.appendingPathComponent("nope").path])
        #expect(missing.status == 2 && missing.stderr.contains("no such file"))
        #expect(try alice.ok(["files", room]).isEmpty)
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["BUCKETCHAT_TEST_S3_ENDPOINT"] != nil,
                   "BUCKETCHAT_TEST_S3_ENDPOINT is not set: run scripts/test.sh, which starts moto_server"))
    func filesBothWaysThroughS3WithAKeyThatCannotDelete() async throws {
        let moto = try await MotoBucket.make("bc-files-")
        let bucket = moto.name, s3 = moto.writerEnvironment
        // 17 MiB goes up as a multipart upload (parts of 8 MiB), under the no-delete policy.
        let (alice, bob, room, root) = try shareBothWays(store: "s3://\(bucket)/chat/", extra: s3, sizes: [0, 1, 17 << 20])
        defer { try? FileManager.default.removeItem(at: root) }

        // Offline, a share waits in the journal with its bytes; a flush sends both.
        var offline = bob
        offline.cli.environment["AWS_ENDPOINT_URL_S3"] = "http://127.0.0.1:9"
        let file = try randomFile(root, "offline.bin", count: 5000)
        let ref = try offline.ok(["send", room, "--file", file.path, "--upload-timeout", "0.5"])
        #expect(try alice.ok(["files", room]).contains("offline.bin") == false)
        _ = try bob.ok(["flush"])
        let out = root.appendingPathComponent("offline-got.bin")
        _ = try alice.ok(["download", room, ref, "-o", out.path])
        #expect(try Data(contentsOf: out) == Data(contentsOf: file))
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["BUCKETCHAT_TEST_GCS_ENDPOINT"] != nil,
                   "BUCKETCHAT_TEST_GCS_ENDPOINT is not set: run scripts/test.sh, which starts fake-gcs-server"))
    func filesBothWaysThroughGCS() throws {
        let env = ProcessInfo.processInfo.environment
        let endpoint = try #require(env["BUCKETCHAT_TEST_GCS_ENDPOINT"])
        let bucket = "bc-files-" + UUID().uuidString.prefix(8).lowercased()
        let made = try CLIRunner().shell("curl -sf -X POST -H 'Content-Type: application/json' -d '{\"name\":\"\(bucket)\"}' '\(endpoint)/storage/v1/b?project=test'")
        #expect(made.status == 0, "\(made.stderr)")
        let host = endpoint.replacingOccurrences(of: "http://", with: "")
        let (_, _, _, root) = try shareBothWays(store: "gs://\(bucket)/chat/", extra: ["STORAGE_EMULATOR_HOST": host], sizes: [0, 1, 17 << 20])
        try? FileManager.default.removeItem(at: root)
    }
}
