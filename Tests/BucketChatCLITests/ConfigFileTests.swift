import Foundation
import Testing

/// config.toml read by a real TOML parser: mistakes name the file, line and key.
@Suite struct ConfigFileTests {
    let flow = ChatFlowTests()

    func home(_ person: ChatFlowTests.Person) throws -> URL {
        URL(fileURLWithPath: try #require(person.cli.environment["BUCKETCHAT_HOME"]))
    }

    @Test func mistakesNameTheFileLineAndKeyAndUnknownKeysOnlyWarn() throws {
        let store = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: store) }
        let (alice, _, root) = try flow.people(store: store.path)
        defer { try? FileManager.default.removeItem(at: root) }
        // Quotes, a backslash and a newline survive the round trip through the file.
        let tricky = "Alice \"Al\" O\\Brien"
        _ = try alice.ok(["init", "--name", "alice", "--display-name", tricky])
        let config = try home(alice).appendingPathComponent("config.toml")
        let written = try String(contentsOf: config, encoding: .utf8)
        let room = try alice.ok(["room", "create", "Settings", "--wait"])
        let member = try #require(try JSONSerialization.jsonObject(with: Data(try alice.ok(["members", room, "--json"]).utf8)) as? [String: Any])
        #expect(member["displayname"] as? String == tricky, "\(written)")

        try (written + "\n[sync]\nactive_interval_ms = \"200\"\n").write(to: config, atomically: true, encoding: .utf8)
        let wrongType = try alice.run(["log", room])
        #expect(wrongType.status == 2)
        let lines = (written + "\n[sync]\n").split(separator: "\n", omittingEmptySubsequences: false).count
        #expect(wrongType.stderr.contains("config.toml:\(lines): sync.active_interval_ms must be an integer"), "\(wrongType.stderr)")

        try (written + "\n[sync\n").write(to: config, atomically: true, encoding: .utf8)
        let broken = try alice.run(["log", room])
        #expect(broken.status == 2)
        #expect(broken.stderr.contains("config.toml:") && broken.stderr.contains("fix the file"), "\(broken.stderr)")

        try (written + "\nfuture_setting = 3\n[sync]\nactive_interval_ms = 200\n").write(to: config, atomically: true, encoding: .utf8)
        let newer = try alice.run(["log", room])
        #expect(newer.status == 0)
        #expect(newer.stderr.components(separatedBy: "unknown setting future_setting, ignored").count == 2, "warned once: \(newer.stderr)")
    }
}
