import CloudHTTP
import Foundation
import S3Store
import Testing

/// Access control as moto enforces it (IAM and SigV4): a read-only identity
/// reads the room, its sends are refused with a clear error and wait in its
/// journal until it may write; an outsider gets a clear error at once.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["BUCKETCHAT_TEST_S3_ENDPOINT"] != nil,
                "BUCKETCHAT_TEST_S3_ENDPOINT is not set: run scripts/test.sh, which starts moto_server"))
struct AccessControlTests {
    let env = ProcessInfo.processInfo.environment

    /// Runs boto3 as the IAM admin: `user NAME ACTIONS...` creates a user
    /// (no policy when no actions) and prints its key and secret; `grant
    /// NAME ACTIONS...` replaces its policy.
    func iam(_ arguments: [String]) throws -> [String] {
        let script = """
            import boto3, json, os, sys
            iam = boto3.client("iam", endpoint_url=os.environ["BUCKETCHAT_TEST_S3_ENDPOINT"], region_name="us-east-1",
                               aws_access_key_id=os.environ["BUCKETCHAT_TEST_S3_ADMIN_KEY"],
                               aws_secret_access_key=os.environ["BUCKETCHAT_TEST_S3_ADMIN_SECRET"])
            what, name, actions = sys.argv[1], sys.argv[2], sys.argv[3:]
            if what == "user":
                iam.create_user(UserName=name)
            if actions:
                iam.put_user_policy(UserName=name, PolicyName=name + "-policy", PolicyDocument=json.dumps({
                    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}))
            if what == "user":
                k = iam.create_access_key(UserName=name)["AccessKey"]
                print(k["AccessKeyId"], k["SecretAccessKey"])
            """
        let dir = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("iam.py")
        try script.write(to: file, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", file.path] + arguments
        let out = dir.appendingPathComponent("out")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "iam \(arguments)")
        return String(decoding: (try? Data(contentsOf: out)) ?? Data(), as: UTF8.self).split(separator: " ").map {
            $0.trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    /// A device of its own, under `root`, with these S3 credentials.
    func person(_ name: String, root: URL, store: String, key: String, secret: String) -> CLIRunner {
        var cli = CLIRunner()
        cli.environment["BUCKETCHAT_HOME"] = root.appendingPathComponent(name).path
        cli.environment["BUCKETCHAT_STORE"] = store
        cli.environment["AWS_ACCESS_KEY_ID"] = key
        cli.environment["AWS_SECRET_ACCESS_KEY"] = secret
        cli.environment["AWS_ENDPOINT_URL_S3"] = env["BUCKETCHAT_TEST_S3_ENDPOINT"] ?? ""
        cli.environment["AWS_REGION"] = "us-east-1"
        return cli
    }

    /// A bucket, alice (the writer policy of scripts/test-servers.sh) and her public room with one message.
    func aliceRoom(_ root: URL) async throws -> (store: String, alice: CLIRunner, room: String) {
        let bucket = "bc-acl-" + UUID().uuidString.prefix(8).lowercased()
        let admin = AWSSettings(credentials: AWSCredentials(accessKeyId: env["BUCKETCHAT_TEST_S3_ADMIN_KEY"] ?? "",
                                                            secretAccessKey: env["BUCKETCHAT_TEST_S3_ADMIN_SECRET"] ?? ""),
                                region: "us-east-1", endpoint: env["BUCKETCHAT_TEST_S3_ENDPOINT"])
        try await S3Store(S3Configuration(bucket: bucket, prefix: "", settings: admin)).createBucket()
        let store = "s3://\(bucket)/team/"
        let alice = person("alice", root: root, store: store, key: env["BUCKETCHAT_TEST_S3_KEY"] ?? "", secret: env["BUCKETCHAT_TEST_S3_SECRET"] ?? "")
        #expect(try alice.run(["init", "--name", "alice"]).status == 0)
        let created = try alice.run(["room", "create", "Open", "--public", "--wait"])
        let room = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(created.status == 0 && room.hasPrefix("room_"), "\(created.stderr)")
        #expect(try alice.run(["send", room, "hello", "--wait"]).status == 0)
        return (store, alice, room)
    }

    @Test func aReadOnlyIdentityReadsButItsSendsWaitInTheJournalUntilItMayWrite() async throws {
        let root = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let (store, alice, room) = try await aliceRoom(root)
        let name = "reader-" + UUID().uuidString.prefix(6).lowercased()
        let keys = try iam(["user", name, "s3:GetObject", "s3:ListBucket"])
        try #require(keys.count == 2)
        let rita = person("rita", root: root, store: store, key: keys[0], secret: keys[1])
        #expect(try rita.run(["init", "--name", "rita"]).status == 0)

        let log = try rita.run(["log", room])
        #expect(log.status == 0 && log.stdout.contains("user:alice (alice)\tmsg\thello"), "a reader reads: \(log.stderr)")

        // A public room: joining needs no invite, only the right to write.
        for command in [["join", room], ["send", room, "from rita"]] {
            let sent = try rita.run(command)
            #expect(sent.status == 1)
            for part in ["no write permission", store, room, "safe in this device's journal", "bucketchat flush", "s3:PutObject"] {
                #expect(sent.stderr.contains(part), "\(command[0])'s refusal says \(part): \(sent.stderr)")
            }
        }
        let flush = try rita.run(["flush"])
        #expect(flush.status == 1 && flush.stderr.contains("no write permission") && flush.stderr.contains("stay in this device's journal"),
                "\(flush.stderr)")
        #expect(!(try alice.run(["log", room]).stdout.contains("from rita")))

        // The bucket's owner grants write: the journaled message goes out once, with nothing re-typed.
        _ = try iam(["grant", name, "s3:GetObject", "s3:ListBucket", "s3:PutObject"])
        let retried = try rita.run(["flush"])
        #expect(retried.status == 0, "\(retried.stderr)")
        let after = try alice.run(["log", room])
        #expect(after.stdout.components(separatedBy: "user:rita (rita)\tmsg\tfrom rita").count == 2, "delivered exactly once: \(after.stdout)")
        #expect(after.stdout.contains("user:rita (rita)\tjoin\t"), "her join went first")
    }

    @Test func anOutsiderGetsAClearErrorNotAnEmptyRoom() async throws {
        let root = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let (store, alice, room) = try await aliceRoom(root)
        let keys = try iam(["user", "outsider-" + UUID().uuidString.prefix(6).lowercased()])
        try #require(keys.count == 2)
        let otto = person("otto", root: root, store: store, key: keys[0], secret: keys[1])
        #expect(try otto.run(["init", "--name", "otto"]).status == 0)
        for command in [["log", room], ["send", room, "from otto"], ["members", room]] {
            let out = try otto.run(command)
            #expect(out.status == 1, "\(command[0]) fails: \(out.stdout)")
            for part in ["no read permission", store, room, "s3:GetObject"] {
                #expect(out.stderr.contains(part), "\(command[0]) says \(part): \(out.stderr)")
            }
        }
        #expect(!(try alice.run(["log", room]).stdout.contains("from otto")), "nothing was journaled or sent")
    }
}
