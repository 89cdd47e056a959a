import Foundation
import Testing

/// `bucketchat verify` on a room made by the reference client
/// (ChatProtocolTests/Fixtures/reference-room, written by its make_room.py).
@Suite struct LegacyRoomCommandTests {
    let cli = CLIRunner()
    static let folder = CLIRunner.fixtures.appendingPathComponent("reference-room")

    func report(_ out: CLIRunner.Output) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any], "\(out.stdout)\(out.stderr)")
    }

    @Test func withTrustedKeysEveryEventIsAcceptedAndExitIsZero() throws {
        let out = try cli.run(["verify", Self.folder.path, "--room", "reference_room",
                               "--trusted-keys", Self.folder.appendingPathComponent("keys.json").path, "--json"])
        #expect(out.status == 0, "\(out.stdout)\(out.stderr)")
        let report = try report(out)
        #expect(report["legacy"] as? Bool == true)
        #expect((report["accepted"] as? [Any])?.count == 9)
        #expect((report["rejected"] as? [Any])?.isEmpty == true)
        #expect((report["alarms"] as? [Any])?.isEmpty == true)
        let warnings = try #require(report["warnings"] as? [[String: Any]])
        #expect(Set(warnings.compactMap { $0["kind"] as? String }) == ["unchained", "local_time_folder"])
        #expect(report["members"] as? [String: String] == ["alice@example.com": "join", "bob@example.com": "leave"])
    }

    @Test func withoutKeysEveryEventIsUnknownKeyExitIsZeroAndTheSummaryNamesTrustedKeys() throws {
        let json = try cli.run(["verify", Self.folder.path, "--room", "reference_room", "--json"])
        #expect(json.status == 0, "\(json.stdout)\(json.stderr)")
        let report = try report(json)
        let rejected = try #require(report["rejected"] as? [[String: Any]])
        #expect(rejected.count == 9)
        #expect(rejected.allSatisfy { $0["reason"] as? String == "unknown_key" })
        #expect((report["alarms"] as? [Any])?.isEmpty == true)

        let text = try cli.run(["verify", Self.folder.path, "--room", "reference_room"])
        #expect(text.status == 0, "\(text.stdout)\(text.stderr)")
        #expect(text.stdout.contains("(legacy: no creator_key)"))
        #expect(text.stdout.contains("9 event(s) could not be checked"))
        #expect(text.stdout.contains("--trusted-keys FILE"))
        #expect(text.stdout.contains("result: ok"))
    }
}
