import Foundation
import Testing

@Suite struct VerifyCommandTests {
    let cli = CLIRunner()

    @Test func vectorRoomReportsTheForgeryAndExitsOne() throws {
        let out = try cli.run(["verify", CLIRunner.fixtures.appendingPathComponent("room").path, "--room", "room_vectors01", "--json"])
        #expect(out.status == 1, "\(out.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any])
        #expect(report["room_id"] as? String == "room_vectors01")
        #expect((report["accepted"] as? [String])?.count == 16)
        let rejected = try #require(report["rejected"] as? [[String: Any]])
        #expect(rejected.compactMap { $0["reason"] as? String }.sorted() == ["bad_signature", "unauthorized", "unauthorized"])
        #expect(rejected.allSatisfy { $0["object_key"] is String && $0["line"] is Int })
        #expect((report["alarms"] as? [Any])?.isEmpty == true)
        #expect(report["members"] as? [String: String] == ["user:alice": "join", "user:bob": "leave"])
        #expect(report["skipped_keys"] as? [String] == ["rooms/room_vectors01/logs/README.txt"])
        #expect(out.stdout.hasSuffix("\n") && out.stdout.filter { $0 == "\n" }.count == 1, "one JSON object on one line")
    }

    @Test func humanSummaryNamesEveryProblem() throws {
        let out = try cli.run(["verify", CLIRunner.fixtures.appendingPathComponent("room").path, "--room", "room_vectors01"])
        #expect(out.status == 1)
        #expect(out.stdout.contains("16 events accepted, 3 rejected"))
        #expect(out.stdout.contains("bad_signature: rooms/room_vectors01/logs/2025-09-14/messages_1757851205000_1757851205000_mallory_e5.jsonl:1"))
        #expect(out.stdout.contains("INTEGRITY PROBLEM"))
    }

    /// A generated room of 300 events in objects of 10, and the log objects of one device, oldest first.
    func generatedRoom() throws -> (dir: URL, logs: URL, device: [String]) {
        let dir = try CLIRunner.temporaryDirectory()
        let gen = try cli.run(["--out", dir.path, "--room", "room_clean", "--events", "300", "--senders", "3",
                               "--events-per-file", "10"], tool: "bucketchat-roomgen")
        #expect(gen.status == 0, "\(gen.stderr)")
        let logs = dir.appendingPathComponent("rooms/room_clean/logs")
        let all = FileManager.default.enumerator(atPath: logs.path)?.allObjects as? [String] ?? []
        return (dir, logs, all.filter { $0.hasSuffix("_u1_d1.jsonl") }.sorted())
    }

    @Test func cleanRoomExitsZero() throws {
        let room = try generatedRoom()
        defer { try? FileManager.default.removeItem(at: room.dir) }
        let ok = try cli.run(["verify", room.dir.path, "--room", "room_clean"])
        #expect(ok.status == 0, "\(ok.stdout)\(ok.stderr)")
        #expect(ok.stdout.contains("300 events accepted, 0 rejected, 0 alarms"))
    }

    @Test func tamperedBodyExitsOne() throws {
        let room = try generatedRoom()
        defer { try? FileManager.default.removeItem(at: room.dir) }
        let victim = room.logs.appendingPathComponent(try #require(room.device.last))
        let text = try String(contentsOf: victim, encoding: .utf8)
        try text.replacingOccurrences(of: "quick brown fox", with: "quick brown cat").write(to: victim, atomically: true, encoding: .utf8)
        let bad = try cli.run(["verify", room.dir.path, "--room", "room_clean", "--json"])
        #expect(bad.status == 1)
        #expect(bad.stdout.contains("\"reason\":\"bad_signature\""))
    }

    @Test func deletedMiddleObjectIsAGapAndExitsOne() throws {
        let room = try generatedRoom()
        defer { try? FileManager.default.removeItem(at: room.dir) }
        #expect(room.device.count >= 3, "\(room.device)")
        try FileManager.default.removeItem(at: room.logs.appendingPathComponent(room.device[1]))
        let gap = try cli.run(["verify", room.dir.path, "--room", "room_clean", "--json"])
        #expect(gap.status == 1)
        #expect(gap.stdout.contains("\"kind\":\"gap\""))
        #expect(gap.stdout.contains("\"rejected\":[]"), "the later events stay")
    }

    @Test func usageAndIOErrorsExitTwoWithAClearMessage() throws {
        let missing = try cli.run(["verify", "/nonexistent/store", "--room", "room_x"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("/nonexistent/store is not a folder"))
        let noRoom = try cli.run(["verify", CLIRunner.fixtures.appendingPathComponent("room").path, "--room", "room_nope"])
        #expect(noRoom.status == 2)
        #expect(noRoom.stderr.contains("rooms there: room_vectors01"))
        let badID = try cli.run(["verify", "/tmp", "--room", "../etc"])
        #expect(badID.status == 2)
        let noArgs = try cli.run(["verify"])
        #expect(noArgs.status == 2)
        let help = try cli.run(["verify", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("Exit status: 0 when no integrity problem"))
    }

    @Test func legacyRoomNeedsTrustedKeys() throws {
        let dir = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let gen = try cli.run(["--out", dir.path, "--room", "room_old", "--events", "40", "--senders", "1", "--devices-per-sender", "1"], tool: "bucketchat-roomgen")
        #expect(gen.status == 0)
        // Strip creator_key: the room now looks like one made by the reference client.
        let metadataURL = dir.appendingPathComponent("rooms/room_old/metadata.json")
        var metadata = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: metadataURL)) as? [String: Any])
        let creatorKey = try #require(metadata.removeValue(forKey: "creator_key") as? String)
        try JSONSerialization.data(withJSONObject: metadata).write(to: metadataURL)
        let without = try cli.run(["verify", dir.path, "--room", "room_old", "--json"])
        #expect(without.status == 0, "unknown keys are not an integrity problem: \(without.stderr)")
        #expect(without.stdout.contains("\"reason\":\"unknown_key\""))
        let keys = dir.appendingPathComponent("keys.json")
        try Data("{\"user:u0\": \"\(creatorKey)\"}".utf8).write(to: keys)
        let with = try cli.run(["verify", dir.path, "--room", "room_old", "--json", "--trusted-keys", keys.path])
        #expect(with.status == 0)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(with.stdout.utf8)) as? [String: Any])
        #expect((report["accepted"] as? [String])?.count == 40)
        #expect(report["legacy"] as? Bool == true)
    }
}

@Suite struct KeysCommandTests {
    @Test func generateShowAndRefuseAReadableKey() throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        var cli = CLIRunner()
        cli.environment["BUCKETCHAT_HOME"] = home.path
        let gen = try cli.run(["keys", "generate", "--name", "alice"])
        #expect(gen.status == 0, "\(gen.stderr)")
        let show = try cli.run(["keys", "show", "--json"])
        #expect(show.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: String])
        #expect(object["sender_id"] == "user:alice")
        #expect(Data(base64Encoded: object["public_key"] ?? "")?.count == 32)
        let keyPath = home.appendingPathComponent("device-key.json").path
        #expect((try FileManager.default.attributesOfItem(atPath: keyPath)[.posixPermissions] as? Int) == 0o600)

        let again = try cli.run(["keys", "generate", "--name", "alice"])
        #expect(again.status == 2)
        #expect(again.stderr.contains("never overwritten"))

        chmod(keyPath, 0o640)
        let refused = try cli.run(["keys", "show"])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("chmod 600 \(keyPath)"))
    }
}
