import Foundation
import Testing

/// `-v`: every store request and sync decision on stderr, with any command.
@Suite struct VerboseTests {
    let flow = ChatFlowTests()

    @Test func verboseLogsStoreRequestsAndSyncDecisionsAndQuietLogsNothing() throws {
        let store = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: store) }
        let (alice, _, root) = try flow.people(store: store.path)
        defer { try? FileManager.default.removeItem(at: root) }
        _ = try alice.ok(["init", "--name", "alice"])
        let room = try alice.ok(["room", "create", "Loud", "--wait"])
        // A message that looks like the flag, after `--`, is a message.
        _ = try alice.ok(["send", room, "--wait", "--", "-v"])

        let quiet = try alice.run(["log", room])
        #expect(quiet.status == 0 && quiet.stderr.isEmpty, "\(quiet.stderr)")
        #expect(quiet.stdout.contains("msg\t-v"))

        for arguments in [["-v", "log", room], ["log", room, "--verbose"]] {
            let loud = try alice.run(arguments)
            #expect(loud.status == 0)
            #expect(loud.stdout == quiet.stdout, "logging goes to stderr only")
            #expect(loud.stderr.contains("LIST rooms/\(room)/"), "\(loud.stderr)")
            #expect(loud.stderr.contains("GET rooms/\(room)/metadata.json →"), "\(loud.stderr)")
            #expect(loud.stderr.contains("room \(room): full listing,") && loud.stderr.contains("fetched and verified"), "\(loud.stderr)")
        }
        let refused = try alice.run(["-v", "log", "no-such-room"])
        #expect(refused.status == 2)
    }
}
