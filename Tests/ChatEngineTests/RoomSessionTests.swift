import ChatEngine
import ChatProtocol
import Foundation
import ObjectStore
import Testing

@Suite struct RoomSessionTests {
    struct Person {
        let identity: DeviceIdentity
        let state: String
    }

    func person(_ name: String, seed: UInt8, root: URL) throws -> Person {
        let identity = DeviceIdentity(senderID: "user:\(name)", clientID: "\(name)_d1",
                                      key: try SigningKey(seed: [UInt8](repeating: seed, count: 32)))
        return Person(identity: identity, state: root.appendingPathComponent(name).path)
    }

    func temporary() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bucketchat-session-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func twoIdentitiesRoundTripEveryActionAndAgreeOnState() async throws {
        let root = try temporary()
        defer { try? FileManager.default.removeItem(at: root) }
        let store = LocalFolderStore(root: root.appendingPathComponent("store").path)
        let alice = try person("alice", seed: 1, root: root)
        let bob = try person("bob", seed: 2, root: root)

        let a = try await RoomSession.create(name: "Plans", displayName: "Alice", identity: alice.identity, store: store, stateFolder: alice.state)
        await a.startUploading()
        let roomID = a.roomID
        try await a.invite("user:bob", key: bob.identity.key.publicKey)
        try await a.outbox.flush()

        let b = try RoomSession(roomID: roomID, identity: bob.identity, store: store, stateFolder: bob.state)
        await b.startUploading()
        await b.refresh()
        try await b.join(displayName: "Bob")
        let hello = try await b.send("helo alice")
        try await b.outbox.flush()

        await a.refresh()
        let ref = EventReference.short(hello.eventID)
        try await a.react(to: ref, with: "👍")
        let reply = try await a.send("hi bob", replyTo: ref)
        try await a.outbox.flush()
        await b.refresh()
        try await b.edit(ref, body: "hello alice")
        let oops = try await b.send("oops")
        try await b.redact(EventReference.short(oops.eventID), reason: "typo")
        try await b.outbox.flush()

        await a.refresh()
        await b.refresh()
        let va = await a.sync.verification
        let vb = await b.sync.verification
        #expect(va.accepted.map(\.event.eventID) == vb.accepted.map(\.event.eventID))
        #expect(va.rejected.isEmpty && va.alarms.isEmpty, "\(va.rejected) \(va.alarms)")
        #expect(va.state.membership == ["user:alice": .join, "user:bob": .join])
        #expect(va.state.edits[hello.eventID] == "hello alice")
        #expect(va.state.reactions[hello.eventID] == ["👍": ["user:alice"]])
        #expect(va.state.threadChildren[hello.eventID] == [reply.eventID])
        #expect(va.state.redacted == [oops.eventID])
        #expect(vb.state.edits == va.state.edits && vb.state.redacted == va.state.redacted)
        await a.stopUploading()
        await b.stopUploading()
    }

    @Test func forbiddenActionsFailClearlyAndSendNothing() async throws {
        let root = try temporary()
        defer { try? FileManager.default.removeItem(at: root) }
        let store = MemoryStore()
        let alice = try person("alice", seed: 1, root: root)
        let bob = try person("bob", seed: 2, root: root)
        let a = try await RoomSession.create(name: "Rules", identity: alice.identity, store: store, stateFolder: alice.state)
        await a.startUploading()
        let mine = try await a.send("alice's words")
        try await a.invite("user:bob")
        try await a.outbox.flush()

        let b = try RoomSession(roomID: a.roomID, identity: bob.identity, store: store, stateFolder: bob.state)
        await b.refresh()
        await #expect(throws: EngineError.self) { try await b.send("before joining") }
        try await b.join()
        do {
            try await b.remove("user:alice", ban: false)
            Issue.record("a non-admin kicked the creator")
        } catch {
            #expect(error.code == .forbidden)
            #expect(error.message.contains(a.roomID))
        }
        await #expect(throws: EngineError.self) { try await b.edit(EventReference.short(mine.eventID), body: "bob was here") }
        await #expect(throws: EngineError.self) { try await b.setName("Bob's room") }
        await #expect(throws: EngineError.self) { try await b.react(to: "ffffffffffff", with: "x") }
        #expect(await b.outbox.pendingEvents.count == 1, "only the join was journaled")
    }

    @Test func ownEventsCountBeforeTheNextSyncShowsThem() async throws {
        let root = try temporary()
        defer { try? FileManager.default.removeItem(at: root) }
        let store = MemoryStore()
        let alice = try person("alice", seed: 1, root: root)
        let bob = try person("bob", seed: 2, root: root)
        let a = try await RoomSession.create(name: "Open", joinRule: .public, identity: alice.identity, store: store, stateFolder: alice.state)
        await a.startUploading()
        try await a.outbox.flush()
        let b = try RoomSession(roomID: a.roomID, identity: bob.identity, store: store, stateFolder: bob.state)
        await b.startUploading()
        await b.refresh()
        try await b.join()
        // Uploaded, so no longer pending in the outbox, and not yet synced back:
        // the session must still count bob as joined.
        try await b.outbox.flush()
        let message = try await b.send("right after joining")
        #expect(message.type == EventType.message)
        await b.stopUploading()
        await a.stopUploading()
    }

    @Test func aSecondProcessOnTheSameJournalIsRefused() async throws {
        let root = try temporary()
        defer { try? FileManager.default.removeItem(at: root) }
        let alice = try person("alice", seed: 1, root: root)
        let store = MemoryStore()
        let a = try await RoomSession.create(name: "Locked", identity: alice.identity, store: store, stateFolder: alice.state)
        // flock is per open file description, so a second open in this process stands for a second process.
        #expect(throws: EngineError.self) {
            _ = try JournalLock(journalPath: Journal.path(stateFolder: alice.state, roomID: a.roomID, clientID: "alice_d1"), timeout: .milliseconds(100))
        }
    }
}
