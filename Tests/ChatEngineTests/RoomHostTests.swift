import ChatEngine
import ChatProtocol
import Foundation
import ObjectStore
import Synchronization
import Testing

/// A memory store that can be taken down: every call fails as an
/// unreachable server's would, until it is brought back.
actor SwitchableStore: ObjectStore {
    let inner = MemoryStore()
    private(set) var down = false

    nonisolated var locationDescription: String { "switchable:" }

    func setDown(_ down: Bool) { self.down = down }

    private func check() throws(StoreError) {
        if down { throw StoreError(.unreachable, "Could not reach switchable: (the test took it down).") }
    }

    func list(prefix: String, startAfter: String?) async throws(StoreError) -> [ObjectInfo] {
        try check()
        return try await inner.list(prefix: prefix, startAfter: startAfter)
    }

    func get(_ key: ObjectKey) async throws(StoreError) -> Data {
        try check()
        return try await inner.get(key)
    }

    func head(_ key: ObjectKey) async throws(StoreError) -> ObjectInfo? {
        try check()
        return await inner.head(key)
    }

    func putIfAbsent(_ key: ObjectKey, _ bytes: Data) async throws(StoreError) -> PutOutcome {
        try check()
        return await inner.putIfAbsent(key, bytes)
    }
}

/// What a host told its observer, in order.
final class HostEvents: Sendable {
    private let events = Mutex<[RoomHostEvent]>([])

    func record(_ event: RoomHostEvent) { events.withLock { $0.append(event) } }

    var all: [RoomHostEvent] { events.withLock { $0 } }

    var opened: [String] { all.compactMap { if case .opened(let s, _) = $0 { return s.roomID } else { return nil } } }

    var published: [String] { all.compactMap { if case .metadataPublished(let id) = $0 { return id } else { return nil } } }

    var failures: [String] { all.compactMap { if case .metadataFailed(_, let why) = $0 { return why } else { return nil } } }

    /// Message bodies the synced views delivered for a room.
    func bodies(_ roomID: String) -> [String] {
        all.flatMap { event -> [String] in
            guard case .synced(let view) = event, view.roomID == roomID else { return [] }
            return view.updates.compactMap { update in
                guard case .event(let e, _) = update, case .message(let m) = e.event.content else { return nil }
                return m.body
            }
        }
    }

    /// Waits (polling, bounded) until `condition` holds.
    func wait(_ what: String, seconds: Double = 20, _ condition: (HostEvents) -> Bool) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while !condition(self) {
            guard ContinuousClock.now < deadline else { throw EngineError(.cancelled, "timed out waiting until \(what)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

/// The one owner of an identity's rooms in one store, over memory stores:
/// rooms appear, discovery finds invitations, stop flushes within its
/// deadline, a store outage backs off and recovers.
@Suite struct RoomHostTests {
    func temporary() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bucketchat-host-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    func identity(_ name: String, seed: UInt8) throws -> DeviceIdentity {
        DeviceIdentity(senderID: "user:\(name)", clientID: "\(name)_d1", key: try SigningKey(seed: [UInt8](repeating: seed, count: 32)))
    }

    func host(_ name: String, seed: UInt8, store: any ObjectStore, state: String) throws -> RoomHost {
        RoomHost(configuration: RoomHostConfiguration(
            identity: try identity(name, seed: seed), displayName: name.capitalized, store: store, stateFolder: state + "/" + name,
            syncSettings: { var s = SyncSettings(); s.activeInterval = .milliseconds(50); s.idleInterval = .milliseconds(100); return s }(),
            uploadPolicy: .fixed(.milliseconds(1)), discoveryInterval: .milliseconds(100)))
    }

    @Test func aRoomCreatedHereAppearsAndItsMetadataGoesFirst() async throws {
        let state = try temporary()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let store = MemoryStore()
        let roomID = try await createAndSend(store: store, state: state)

        // A new host of the same identity and store opens the journaled room by itself.
        let again = HostEvents()
        let reopened = try host("alice", seed: 1, store: store, state: state)
        await reopened.start(background: false) { again.record($0) }
        #expect(again.opened == [roomID])
        await reopened.stop(flushTimeout: .seconds(1))
    }

    /// A host creates a room, sends, publishes and syncs, then stops; returns the room id.
    func createAndSend(store: MemoryStore, state: String) async throws -> String {
        let events = HostEvents()
        let alice = try host("alice", seed: 1, store: store, state: state)
        await alice.start(background: false) { events.record($0) }
        let room = try await alice.create(name: "Plans")
        #expect(events.opened == [room.roomID])
        guard case .opened(_, let pending)? = events.all.first else { throw EngineError(.notFound, "no opened event") }
        #expect(pending, "its metadata waits to be uploaded")
        #expect(try await store.list(prefix: "").isEmpty, "nothing is in the store before the host publishes")
        _ = try await room.send("hello")
        await alice.syncNow()
        try await alice.flushAll()
        await alice.syncNow()
        #expect(events.published == [room.roomID])
        #expect(events.bodies(room.roomID) == ["hello"])
        #expect(try await store.list(prefix: RoomObjectKey.metadataKey(roomID: room.roomID)).count == 1)
        await alice.stop(flushTimeout: .seconds(5))
        return room.roomID
    }

    @Test func discoveryFindsAnInvitation() async throws {
        let state = try temporary()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let store = MemoryStore()
        let alice = try host("alice", seed: 1, store: store, state: state)
        await alice.start(background: false) { _ in }
        let room = try await alice.create(name: "Plans")
        await alice.syncNow()
        _ = try await room.act(.invite(userID: "user:bob", key: nil))
        try await alice.flushAll()

        let events = HostEvents()
        let bob = try host("bob", seed: 2, store: store, state: state)
        await bob.start(background: true) { events.record($0) }
        try await events.wait("bob's host opens the room he was invited to") { $0.opened == [room.roomID] }
        let session = try #require(await bob.session(room.roomID))
        try await events.wait("bob's host has synced the room") { !$0.all.filter { if case .synced = $0 { true } else { false } }.isEmpty }
        _ = try await session.act(.join(displayName: "Bob"))
        _ = try await session.send("hi alice")
        try await bob.flushAll()
        await alice.syncNow()
        let verification = await room.sync.verification
        #expect(verification.state.members["user:bob"]?.membership == .join)
        await bob.stop(flushTimeout: .seconds(5))
        await alice.stop(flushTimeout: .seconds(5))
    }

    // Minutes, not seconds: the whole suite on two cores can starve the host's tasks for a minute.
    @Test(.timeLimit(.minutes(4))) func stopFlushesAndLeavesWhatItCannotUploadJournaled() async throws {
        let state = try temporary()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let store = SwitchableStore()
        let events = HostEvents()
        let alice = try host("alice", seed: 1, store: store, state: state)
        await alice.start(background: true) { events.record($0) }
        let room = try await alice.create(name: "Plans")
        _ = try await room.send("uploaded at stop")
        // The deadline is for a store that does not answer; one that does
        // ends the flush at once, however long a starved pool takes to get there.
        await alice.stop(flushTimeout: .seconds(90))
        let bodies = try await RoomSync(store: store, roomID: room.roomID).sync().compactMap { update -> String? in
            guard case .event(let e, _) = update, case .message(let m) = e.event.content else { return nil }
            return m.body
        }
        #expect(bodies == ["uploaded at stop"], "stop flushed the journal")

        // With the store down, stop gives up at its deadline and the event stays journaled.
        let bob = try host("bob", seed: 2, store: store, state: state)
        await bob.start(background: true) { _ in }
        // Down before the room exists: otherwise its task may upload the join first.
        await store.setDown(true)
        let other = try await bob.create(name: "Offline")
        _ = try await other.send("stays journaled")
        await bob.stop(flushTimeout: .milliseconds(300))
        #expect(await other.outbox.status.pendingEvents == 2, "the join and the message wait in the journal")
    }

    @Test func anOutageBacksOffAndRecovers() async throws {
        let state = try temporary()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let store = SwitchableStore()
        await store.setDown(true)
        let events = HostEvents()
        let alice = try host("alice", seed: 1, store: store, state: state)
        await alice.start(background: true) { events.record($0) }
        let room = try await alice.create(name: "Plans")
        _ = try await room.send("written during the outage")
        // Long deadlines: the suite can starve the host's tasks for a minute, and the
        // metadata's backoff grows to 30 s meanwhile.
        try await events.wait("the host tried and failed to publish the metadata twice", seconds: 180) { $0.failures.count >= 2 }
        #expect(events.failures.allSatisfy { $0.contains("switchable:") })
        #expect(events.published.isEmpty && events.bodies(room.roomID).isEmpty)
        await store.setDown(false)
        try await events.wait("the host publishes, uploads and syncs once the store is back", seconds: 180) {
            $0.published == [room.roomID] && $0.bodies(room.roomID) == ["written during the outage"]
        }
        await alice.stop(flushTimeout: .seconds(5))
    }

    /// Other processes of the identity act through the owner's socket; a
    /// second owner is refused; a stopped owner is found by nobody.
    @Test func otherProcessesActThroughTheOwnersSocket() async throws {
        let state = try temporary()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let store = MemoryStore()
        let alice = try host("alice", seed: 1, store: store, state: state)
        await alice.start(background: true) { _ in }
        let room = try await alice.create(name: "Plans")
        let server = try RoomHostServer(host: alice, about: JSONObject([("mountpoint", "/somewhere")]))
        server.start()
        defer { server.stop() }
        let stateFolder = alice.configuration.stateFolder

        let owner = try #require(RoomHostClient.find(stateFolder: stateFolder))
        let hello = try owner.request(JSONObject([("op", "hello")]))
        #expect(hello["mountpoint"]?.stringValue == "/somewhere" && hello["pid"]?.intValue == Int64(getpid()))
        let action = RoomAction.send(MessageContent(body: "through the socket"))
        #expect(try RoomAction(wire: action.wire) == action, "the wire form reads back")
        let answer = try owner.request(JSONObject([("op", "act"), ("room", .string(room.roomID)), ("actions", .array([.object(action.wire)]))]))
        #expect(answer["events"]?.arrayValue?.count == 1)
        #expect(await room.outbox.journaledCount == 2, "the owner journaled it after the creator's join, in its own session")
        do {
            _ = try owner.request(JSONObject([("op", "act"), ("room", .string(room.roomID)),
                                              ("actions", .array([.object(RoomAction.setName("x").wire), .object(JSONObject([("action", "dance")]))]))]))
            Issue.record("an unknown action was taken")
        } catch {
            #expect(error.code == .invalidEvent && error.message.contains("unknown action \"dance\""), "\(error.message)")
        }
        #expect(await room.outbox.journaledCount == 2, "a request is read whole before anything is done")
        let flushed = try owner.request(JSONObject([("op", "flush"), ("rooms", .array([.string(room.roomID)])), ("wait_ms", 20_000)]))
        #expect(flushed["rooms"]?.arrayValue?.first?.objectValue?["uploaded"]?.boolValue == true)

        do {
            _ = try RoomHostServer(host: alice, about: JSONObject())
            Issue.record("a second owner was allowed")
        } catch {
            #expect(error.code == .busy && error.message.contains("pid \(getpid())"), "\(error.message)")
        }
        server.stop()
        #expect(RoomHostClient.find(stateFolder: stateFolder) == nil, "a stopped owner is found by nobody")
        await alice.stop(flushTimeout: .seconds(5))
    }
}
