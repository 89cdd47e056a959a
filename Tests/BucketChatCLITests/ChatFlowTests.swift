import Foundation
import Testing

/// Two identities, each a separate BUCKETCHAT_HOME, chatting through one store
/// with nothing but the command line.
@Suite struct ChatFlowTests {
    struct Person {
        var cli: CLIRunner

        func run(_ arguments: [String], stdin: String? = nil) throws -> CLIRunner.Output {
            try cli.run(arguments)
        }

        func ok(_ arguments: [String]) throws -> String {
            let out = try cli.run(arguments)
            #expect(out.status == 0, "bucketchat \(arguments.joined(separator: " ")): \(out.stderr)")
            return out.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    func people(store: String, extra: [String: String] = [:]) throws -> (alice: Person, bob: Person, root: URL) {
        let root = try CLIRunner.temporaryDirectory()
        return (person("alice", root: root, store: store, extra: extra), person("bob", root: root, store: store, extra: extra), root)
    }

    /// One device: its own BUCKETCHAT_HOME under `root`.
    func person(_ name: String, root: URL, store: String, extra: [String: String] = [:]) -> Person {
        var cli = CLIRunner()
        cli.environment["BUCKETCHAT_HOME"] = root.appendingPathComponent(name).path
        cli.environment["BUCKETCHAT_STORE"] = store
        for (k, v) in extra { cli.environment[k] = v }
        return Person(cli: cli)
    }

    /// The whole flow: invite with a pinned key, join, messages, react, reply, edit,
    /// redact; then both sides must print the same verified timeline and members.
    func conversation(store: String, extra: [String: String] = [:]) throws {
        let (alice, bob, root) = try people(store: store, extra: extra)
        defer { try? FileManager.default.removeItem(at: root) }
        _ = try alice.ok(["init", "--name", "alice"])
        _ = try bob.ok(["init", "--name", "bob"])
        let room = try alice.ok(["room", "create", "Plans", "--wait"])
        #expect(room.hasPrefix("room_") && !room.contains("\n"), "room create prints the id alone: \(room)")
        let keyJSON = try bob.ok(["keys", "show", "--json"])
        let bobKey = try #require((try JSONSerialization.jsonObject(with: Data(keyJSON.utf8)) as? [String: String])?["public_key"])
        _ = try alice.ok(["invite", room, "user:bob", "--key", bobKey, "--wait"])
        _ = try bob.ok(["join", room, "--wait"])
        let hello = try bob.ok(["send", room, "helo", "alice", "--wait"])
        #expect(hello.count == 12)
        _ = try alice.ok(["react", room, hello, "👍", "--wait"])
        let reply = try alice.ok(["reply", room, hello, "hi bob", "--wait"])
        _ = try bob.ok(["edit", room, hello, "hello alice", "--wait"])
        let oops = try bob.ok(["send", room, "oops", "--wait"])
        _ = try bob.ok(["redact", room, oops, "--reason", "typo", "--wait"])

        let forbidden = try bob.run(["kick", room, "user:alice"])
        #expect(forbidden.status == 1)
        #expect(forbidden.stderr.contains("only admins may kick"))

        let aliceLog = try alice.ok(["log", room, "--json"])
        let bobLog = try bob.ok(["log", room, "--json"])
        #expect(aliceLog == bobLog, "both sides resolve the same verified timeline")
        #expect(aliceLog.split(separator: "\n").count == 9)
        let text = try alice.ok(["log", room])
        #expect(text.contains("\(hello)\tuser:bob (bob)\tmsg\thelo alice"))
        #expect(text.contains("react\t\(hello) 👍"))
        #expect(text.contains("\(reply)\tuser:alice (alice)\treply\t\(hello) hi bob"))
        #expect(text.contains("edit\t\(hello) hello alice"))
        #expect(text.contains("\(oops)\tuser:bob (bob)\tmsg\t[redacted]"))
        #expect(try alice.ok(["members", room]) == (try bob.ok(["members", room])))
        // Alice's second device: its own key, trusted once her first device adds it.
        let laptop = person("alice-laptop", root: root, store: store, extra: extra)
        _ = try laptop.ok(["init", "--name", "alice"])
        let laptopKeyJSON = try laptop.ok(["keys", "show", "--json"])
        let laptopKey = try #require((try JSONSerialization.jsonObject(with: Data(laptopKeyJSON.utf8)) as? [String: String])?["public_key"])
        let early = try laptop.run(["send", room, "from the laptop, too early"])
        #expect(early.status == 1, "a key nobody added is refused before anything is signed")
        _ = try alice.ok(["keys", "add-device", laptopKey, "--room", room, "--wait"])
        _ = try laptop.ok(["send", room, "from the laptop", "--wait"])
        let members = try bob.ok(["members", room])
        #expect(members.contains("user:alice\tjoin\talice\t2 key(s)\tadmin"), "\(members)")
        #expect(try bob.ok(["log", room]).contains("user:alice (alice)\tmsg\tfrom the laptop"))

        let verify = try alice.run(["verify", "--store", store, "--room", room])
        #expect(verify.status == 0, "\(verify.stdout)")
    }

    @Test func conversationThroughALocalFolder() throws {
        let dir = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try conversation(store: dir.path)
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["BUCKETCHAT_TEST_S3_ENDPOINT"] != nil,
                   "BUCKETCHAT_TEST_S3_ENDPOINT is not set: run scripts/test.sh, which starts moto_server"))
    func conversationThroughS3WithAKeyThatCannotDelete() async throws {
        let bucket = try await MotoBucket.make("bc-cli-")
        try conversation(store: "s3://\(bucket.name)/team-a/", extra: bucket.writerEnvironment)
    }

    /// Bob's device goes offline: the same store (the same bucket URL) with an
    /// endpoint that does not answer. His message waits in his journal, and
    /// takes its place in the timeline once he is back and flushes.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["BUCKETCHAT_TEST_S3_ENDPOINT"] != nil,
                   "BUCKETCHAT_TEST_S3_ENDPOINT is not set: run scripts/test.sh, which starts moto_server"))
    func offlineDeviceCatchesUpAndItsEventTakesItsPlace() async throws {
        let moto = try await MotoBucket.make("bc-offline-")
        let bucket = moto.name, s3 = moto.writerEnvironment
        let (alice, bob, root) = try people(store: "s3://\(bucket)/", extra: s3)
        defer { try? FileManager.default.removeItem(at: root) }
        _ = try alice.ok(["init", "--name", "alice"])
        _ = try bob.ok(["init", "--name", "bob"])
        let room = try alice.ok(["room", "create", "Late", "--public", "--wait"])
        _ = try bob.ok(["join", room, "--wait"])
        var offline = bob
        offline.cli.environment["AWS_ENDPOINT_URL_S3"] = "http://127.0.0.1:9"
        let written = try offline.run(["send", room, "written on the train", "--upload-timeout", "0.2"])
        #expect(written.status == 0, "sending offline still journals: \(written.stderr)")
        #expect(written.stderr.contains("safe in the journal"))
        _ = try alice.ok(["send", room, "anyone there?", "--wait"])
        _ = try alice.ok(["log", room])
        _ = try bob.ok(["flush"])
        let log = try alice.ok(["log", room])
        let train = try #require(log.range(of: "written on the train"), "the offline message arrived: \(log)")
        let later = try #require(log.range(of: "anyone there?"))
        #expect(train.lowerBound < later.lowerBound, "it sorts where it was written, before the later message")
    }
}

@Suite struct SettingsPrecedenceTests {
    @Test func flagsBeatTheEnvironmentWhichBeatsConfigToml() throws {
        let root = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let a = root.appendingPathComponent("from-config").path
        let b = root.appendingPathComponent("from-env").path
        let c = root.appendingPathComponent("from-flag").path
        var cli = CLIRunner()
        cli.environment["BUCKETCHAT_HOME"] = root.appendingPathComponent("home").path
        cli.environment["BUCKETCHAT_STORE"] = nil
        #expect(try cli.run(["init", "--name", "carol", "--store", a]).status == 0)
        let config = try String(contentsOfFile: root.appendingPathComponent("home/config.toml").path, encoding: .utf8)
        #expect(config.contains("store = \"\(a)\""))

        func roomFolder(_ store: String) -> [String] {
            (try? FileManager.default.contentsOfDirectory(atPath: store + "/rooms")) ?? []
        }
        let first = try cli.run(["room", "create", "One", "--wait"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(roomFolder(a) == [first])
        cli.environment["BUCKETCHAT_STORE"] = b
        let second = try cli.run(["room", "create", "Two", "--wait"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(roomFolder(b) == [second])
        let third = try cli.run(["room", "create", "Three", "--wait", "--store", c]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(roomFolder(c) == [third])
        #expect(roomFolder(a) == [first] && roomFolder(b) == [second])
    }
}

@Suite(.enabled(if: ProcessInfo.processInfo.environment["BUCKETCHAT_TEST_S3_ENDPOINT"] != nil,
                "BUCKETCHAT_TEST_S3_ENDPOINT is not set: run scripts/test.sh, which starts moto_server"))
struct StoreCommandTests {
    var env: [String: String] { ProcessInfo.processInfo.environment }

    func cli(key: String, secret: String) -> CLIRunner {
        var cli = CLIRunner()
        cli.environment["AWS_ACCESS_KEY_ID"] = env[key] ?? ""
        cli.environment["AWS_SECRET_ACCESS_KEY"] = env[secret] ?? ""
        cli.environment["AWS_ENDPOINT_URL_S3"] = env["BUCKETCHAT_TEST_S3_ENDPOINT"] ?? ""
        cli.environment["AWS_REGION"] = "us-east-1"
        return cli
    }

    @Test func createsABucketWithObjectLockThatBoto3Sees() throws {
        let bucket = "bc-lock-" + UUID().uuidString.prefix(8).lowercased()
        let admin = cli(key: "BUCKETCHAT_TEST_S3_ADMIN_KEY", secret: "BUCKETCHAT_TEST_S3_ADMIN_SECRET")
        let made = try admin.run(["store", "create-bucket", "s3://\(bucket)/rooms-a/", "--object-lock-days", "3"])
        #expect(made.status == 0, "\(made.stderr)")
        #expect(made.stdout.contains("COMPLIANCE, 3 days"))
        // An independent client reads the bucket's lock configuration.
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        check.arguments = ["python3", "-c", """
            import os, sys, boto3
            c = boto3.client("s3", endpoint_url=os.environ["BUCKETCHAT_TEST_S3_ENDPOINT"], region_name="us-east-1",
                             aws_access_key_id=os.environ["BUCKETCHAT_TEST_S3_ADMIN_KEY"],
                             aws_secret_access_key=os.environ["BUCKETCHAT_TEST_S3_ADMIN_SECRET"])
            rule = c.get_object_lock_configuration(Bucket=sys.argv[1])["ObjectLockConfiguration"]["Rule"]["DefaultRetention"]
            sys.exit(0 if rule["Mode"] == "COMPLIANCE" and rule["Days"] == 3 else 1)
            """, bucket]
        try check.run()
        check.waitUntilExit()
        #expect(check.terminationStatus == 0)
    }

    @Test func aMemberKeyCannotCreateBuckets() throws {
        let member = cli(key: "BUCKETCHAT_TEST_S3_KEY", secret: "BUCKETCHAT_TEST_S3_SECRET")
        let refused = try member.run(["store", "create-bucket", "s3://bc-nope-\(UUID().uuidString.prefix(6).lowercased())/"])
        #expect(refused.status == 1)
        #expect(refused.stderr.lowercased().contains("denied"), "\(refused.stderr)")
    }
}
