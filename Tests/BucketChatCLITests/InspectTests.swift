import Foundation
import Testing

/// `bucketchat inspect ROOM REF`: one event, everything known about it.
@Suite struct InspectTests {
    let flow = ChatFlowTests()

    @Test func anEditShowsItsChainKeyAndTheResolversDecision() throws {
        let store = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: store) }
        let (alice, _, root) = try flow.people(store: store.path)
        defer { try? FileManager.default.removeItem(at: root) }
        _ = try alice.ok(["init", "--name", "alice"])
        let room = try alice.ok(["room", "create", "Inspect", "--wait"])
        let first = try alice.ok(["send", room, "hello", "--wait"])
        let edit = try alice.ok(["edit", room, first, "hello there", "--wait"])
        let second = try alice.ok(["edit", room, first, "hello again", "--wait"])

        let text = try alice.ok(["inspect", room, edit])
        #expect(text.contains("m.room.edit by user:alice"))
        #expect(text.contains("signature: valid, by ") && text.contains("declared in the room, not revoked"))
        #expect(text.contains("device chain: after \(first), before \(second)"), "\(text)")
        #expect(text.contains("decision: edit superseded by \(second)"), "\(text)")

        let json = try #require(try JSONSerialization.jsonObject(with: Data(try alice.ok(["inspect", room, second, "--json"]).utf8)) as? [String: Any])
        #expect(json["decision"] as? String == "edit applied: the current text of \(first)")
        #expect(json["chain_previous"] as? String == edit)
        let key = try #require(json["object_key"] as? String)
        let stored = try #require(json["stored"] as? String)
        // The stored line is the object's line, byte for byte.
        let object = try String(contentsOf: store.appendingPathComponent(key), encoding: .utf8)
        #expect(object.split(separator: "\n").map(String.init).contains(stored))
    }

    @Test func aForgedEventShowsTheVerifiersReason() throws {
        let root = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let alice = flow.person("alice", root: root, store: CLIRunner.fixtures.appendingPathComponent("room").path)
        _ = try alice.ok(["init", "--name", "alice"])
        let out = try alice.ok(["inspect", "room_vectors01", "13804b67", "--json"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
        #expect(json["accepted"] as? Bool == false)
        #expect(json["reason"] as? String == "bad_signature")
        #expect((json["decision"] as? String)?.contains("no key trusted for user:bob") == true)
        let missing = try alice.run(["inspect", "room_vectors01", "ffffffffffff"])
        #expect(missing.status == 1 && missing.stderr.contains("No event of room room_vectors01"))
    }
}
