@testable import ChatEngine
import ChatProtocol
import CloudHTTP
import Foundation
import ObjectStore
import S3Store
import Testing

/// Private rooms end to end through sessions (docs/private-rooms.md): on a
/// local folder, and on moto with IAM enforced (the writer's policy grants
/// no delete), three members, a kick, a late joiner, concurrent rotations,
/// and a scan of every stored byte for plaintext.
@Suite struct PrivateRoomTests {
    enum Backend: String, CaseIterable, Sendable {
        case folder, s3

        /// The folder always; moto when scripts/test.sh started it (the
        /// ThreadSanitizer run of scripts/ci-extra.sh runs without servers).
        static var available: [Backend] {
            ProcessInfo.processInfo.environment["BUCKETCHAT_TEST_S3_ENDPOINT"] == nil ? [.folder] : [.folder, .s3]
        }
    }

    struct Member {
        let identity: DeviceIdentity
        let state: String
    }

    struct World {
        let root: URL
        let store: any ObjectStore

        static func make(_ backend: Backend) async throws -> World {
            let root = FileManager.default.temporaryDirectory.appendingPathComponent("bucketchat-private-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            switch backend {
            case .folder:
                return World(root: root, store: LocalFolderStore(root: root.appendingPathComponent("store").path))
            case .s3:
                let environment = ProcessInfo.processInfo.environment
                let endpoint = try #require(environment["BUCKETCHAT_TEST_S3_ENDPOINT"], "run scripts/test.sh: it starts moto")
                let bucket = "bc-private-" + UUID().uuidString.prefix(8).lowercased()
                let admin = AWSCredentials(accessKeyId: environment["BUCKETCHAT_TEST_S3_ADMIN_KEY"] ?? "",
                                           secretAccessKey: environment["BUCKETCHAT_TEST_S3_ADMIN_SECRET"] ?? "")
                try await FaultWorld.s3Store(bucket: bucket, endpoint: endpoint, credentials: admin, retry: .standard).createBucket()
                return World(root: root, store: FaultWorld.s3Store(bucket: bucket, endpoint: endpoint, credentials: FaultWorld.writer, retry: .standard))
            }
        }

        func member(_ name: String, seed: UInt8) throws -> Member {
            Member(identity: DeviceIdentity(senderID: "user:\(name)", clientID: "\(name)_d1", key: try SigningKey(seed: [UInt8](repeating: seed, count: 32))),
                   state: root.appendingPathComponent(name).path)
        }

        /// A private room alice created, bob invited and joined, both synced.
        func aliceAndBob(room name: String) async throws -> (alice: Member, bob: Member, a: RoomSession, b: RoomSession) {
            let alice = try member("alice", seed: 1), bob = try member("bob", seed: 2)
            let a = try await RoomSession.create(name: name, isPrivate: true, identity: alice.identity, store: store, stateFolder: alice.state)
            await a.startUploading()
            try await a.invite("user:bob", key: bob.identity.key.publicKey)
            try await a.outbox.flush()
            let b = try await open(bob, a.roomID)
            try await b.join()
            try await PrivateRoomTests.settle([b, a])
            return (alice, bob, a, b)
        }

        func open(_ m: Member, _ roomID: String) async throws -> RoomSession {
            let session = try RoomSession(roomID: roomID, identity: m.identity, store: store, stateFolder: m.state)
            await session.startUploading()
            await session.refresh()
            return session
        }
    }

    /// The bodies this session's view shows opened, by event id.
    static func opened(_ s: RoomSession) async -> [String: String] {
        let state = await s.sync.verification.state
        var out: [String: String] = [:]
        for (id, opened) in state.epochs.opened {
            if case .message(let m) = opened.content { out[id] = m.body }
        }
        return out
    }

    static func settle(_ sessions: [RoomSession]) async throws {
        for s in sessions { try await s.outbox.flush() }
        for s in sessions { await s.refresh() }
    }

    @Test(arguments: Backend.available)
    func membersReadThroughEpochsAndTheBucketHoldsNoPlaintext(_ backend: Backend) async throws {
        let world = try await World.make(backend)
        defer { try? FileManager.default.removeItem(at: world.root) }
        let alice = try world.member("alice", seed: 1), bob = try world.member("bob", seed: 2)
        let carol = try world.member("carol", seed: 3), dave = try world.member("dave", seed: 4)

        let a = try await RoomSession.create(name: "Secret plans", isPrivate: true, identity: alice.identity, store: world.store, stateFolder: alice.state)
        await a.startUploading()
        let roomID = a.roomID
        try await a.invite("user:bob", key: bob.identity.key.publicKey)
        try await a.invite("user:carol", key: carol.identity.key.publicKey)
        try await a.outbox.flush()
        let b = try await world.open(bob, roomID), c = try await world.open(carol, roomID)
        try await b.join()
        try await c.join()
        try await Self.settle([b, c, a])

        let one = try await a.send("secret one: the launch code is 0000")
        try await Self.settle([a, b, c])
        try await b.react(to: EventReference.short(one.eventID), with: "🔐")
        let carolSays = try await c.send("carol secret: meet at noon")
        try await Self.settle([b, c, a])
        for s in [a, b, c] {
            let bodies = await Self.opened(s)
            #expect(bodies[one.eventID] == "secret one: the launch code is 0000")
            #expect(bodies[carolSays.eventID] == "carol secret: meet at noon")
            #expect(await s.sync.verification.state.reactions[one.eventID]?["🔐"] == ["user:bob"])
        }

        // carol is kicked: what follows is under an epoch she has no key for.
        try await a.remove("user:carol", ban: false)
        let afterKick = try await a.send("after kick: carol must not read this")
        try await Self.settle([a, b, c])
        let bobAfter = try await b.send("bob after kick")
        try await Self.settle([b, a, c])
        let carolView = await Self.opened(c)
        #expect(carolView[afterKick.eventID] == nil)
        #expect(carolView[bobAfter.eventID] == nil)
        #expect(carolView[one.eventID] == "secret one: the launch code is 0000", "carol keeps what she could read")
        let carolState = await c.sync.verification.state
        #expect(carolState.epochs.current.flatMap { carolState.epochs.key(of: $0) } == nil)
        #expect(await Self.opened(b)[afterKick.eventID] == "after kick: carol must not read this")
        #expect(await Self.opened(a)[bobAfter.eventID] == "bob after kick")
        let carolLine = try #require(await c.sync.verification.accepted.first { $0.event.eventID == afterKick.eventID })
        let rendered = try #require(TimelineLine.render(carolLine, epochs: carolState.epochs))
        #expect(rendered.contains("\tencrypted\tno key for epoch"))

        // dave joins late: he reads from his join on, not before.
        try await a.invite("user:dave", key: dave.identity.key.publicKey)
        try await a.outbox.flush()
        let d = try await world.open(dave, roomID)
        try await d.join()
        try await Self.settle([d, a, b])
        let welcome = try await a.send("welcome dave")
        try await Self.settle([a, b, d])
        let daveView = await Self.opened(d)
        #expect(daveView[welcome.eventID] == "welcome dave")
        #expect(daveView[one.eventID] == nil)
        #expect(daveView[afterKick.eventID] == nil)

        // No body, reaction key or name of a secret appears anywhere in the bucket.
        var everything: [UInt8] = []
        for info in try await world.store.list(prefix: "") {
            everything += Array(try await world.store.get(ObjectKey(info.key)))
        }
        let text = String(decoding: everything, as: UTF8.self)
        #expect(!everything.isEmpty)
        for secret in ["launch code", "meet at noon", "carol must not read", "bob after kick", "welcome dave", "🔐", "\\ud83d\\udd10"] {
            #expect(!text.contains(secret), "\(secret) is in the bucket in plaintext")
        }
        #expect(text.contains("m.room.encrypted"))

        // Verifying without keys checks everything but the content.
        let objects = try await storedObjects(world.store, roomID: roomID)
        let v = RoomVerifier().verify(roomID: roomID, objects: objects)
        #expect(v.rejected.isEmpty, "\(v.rejected)")
        #expect(v.alarms.isEmpty)
        #expect(v.state.epochs.opened.isEmpty)
        // Epochs: created, after bob and carol joined, after the kick, after dave joined.
        #expect(v.state.epochs.byID.count >= 3)
    }

    @Test func concurrentRotationsConvergeAndEitherEpochOpens() async throws {
        let world = try await World.make(.folder)
        defer { try? FileManager.default.removeItem(at: world.root) }
        let (alice, bob, a, b) = try await world.aliceAndBob(room: "Race")

        // Both rotate before seeing the other's rotation, and each writes under its own epoch.
        let both: Set<PublicKey> = [alice.identity.key.publicKey, bob.identity.key.publicKey]
        try await a.startEpoch(for: both, reason: "test")
        try await b.startEpoch(for: both, reason: "test")
        let fromA = try await a.send("from alice's epoch")
        let fromB = try await b.send("from bob's epoch")
        try await Self.settle([a, b])
        let stateA = await a.sync.verification.state, stateB = await b.sync.verification.state
        #expect(stateA.epochs.current != nil)
        #expect(stateA.epochs.current == stateB.epochs.current)
        for s in [a, b] {
            let bodies = await Self.opened(s)
            #expect(bodies[fromA.eventID] == "from alice's epoch")
            #expect(bodies[fromB.eventID] == "from bob's epoch")
        }
    }

    @Test func aCiphertextMovedIntoAnotherEventIsAnAlarmNotAMessage() async throws {
        let world = try await World.make(.folder)
        defer { try? FileManager.default.removeItem(at: world.root) }
        let (_, _, a, b) = try await world.aliceAndBob(room: "Moved")
        let original = try await a.send("only alice said this")
        try await Self.settle([a, b])
        // bob re-sends alice's ciphertext as his own event, signed and chained correctly.
        let moved = try await b.outbox.send(type: EventType.encrypted, content: original.content.json)
        try await Self.settle([b, a])
        let v = await a.sync.verification
        #expect(v.rejected.isEmpty)
        #expect(v.alarms.map(\.kind) == [.undecryptable])
        #expect(v.alarms.first?.eventID == moved.eventID)
        #expect(v.state.epochs.opened[moved.eventID] == nil)
        #expect(await Self.opened(a)[original.eventID] == "only alice said this")
        let line = try #require(v.accepted.first { $0.event.eventID == moved.eventID })
        #expect(TimelineLine.render(line, epochs: v.state.epochs)?.contains("\tencrypted+alarm\tcannot be opened") == true)
    }

    @Test(arguments: Backend.available)
    func filesAreEncryptedAndOpenOnlyForMembers(_ backend: Backend) async throws {
        let world = try await World.make(backend)
        defer { try? FileManager.default.removeItem(at: world.root) }
        let alice = try world.member("alice", seed: 1), bob = try world.member("bob", seed: 2), carol = try world.member("carol", seed: 3)
        let a = try await RoomSession.create(name: "Files", isPrivate: true, identity: alice.identity, store: world.store, stateFolder: alice.state)
        await a.startUploading()
        try await a.invite("user:bob", key: bob.identity.key.publicKey)
        try await a.outbox.flush()
        let b = try await world.open(bob, a.roomID), c = try await world.open(carol, a.roomID)
        try await b.join()
        try await Self.settle([b, a])

        // Three secretstream chunks and a bit, with a marker that must never reach the bucket.
        var bytes = [UInt8]()
        for i in 0..<(200 * 1024 / 32) { bytes += Array(String(format: "SECRET-FILE-MARKER-%012d\n", i).utf8) }
        let path = world.root.appendingPathComponent("plan.txt").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let shared = try await a.shareFile(path: path, caption: "the plan")
        // Shared through the streaming path too (a mount's `cp FILE ROOM/files/`).
        let writer = try b.beginFile(name: "notes.txt")
        try writer.append(Array("SECRET-NOTES-MARKER streamed".utf8))
        let blob = try writer.finish()
        let streamed = try await b.shareBlob(blob, name: "notes.txt")
        try await Self.settle([a, b, c])

        for s in [a, b] {
            let files = await s.files()
            #expect(files.map(\.file.name).sorted() == ["notes.txt", "plan.txt"])
            #expect(files.first { $0.file.name == "plan.txt" }?.file.contentSize == Int64(bytes.count))
            let opened = try await s.fetchFile(EventReference.short(shared.eventID))
            #expect(FileManager.default.contents(atPath: opened) == Data(bytes))
            let notes = try await s.fetchFile(EventReference.short(streamed.eventID))
            #expect(FileManager.default.contents(atPath: notes) == Data("SECRET-NOTES-MARKER streamed".utf8))
        }
        // carol was never a member: the files are not hers to list or open.
        #expect(await c.files().isEmpty)
        await #expect(throws: EngineError.self) { _ = try await c.fetchFile(EventReference.short(shared.eventID)) }

        var everything: [UInt8] = []
        for info in try await world.store.list(prefix: "") {
            everything += Array(try await world.store.get(ObjectKey(info.key)))
        }
        let text = String(decoding: everything, as: UTF8.self)
        let keys = try await world.store.list(prefix: "").map(\.key)
        #expect(keys.filter { $0.contains("/attachments/") }.count == 2)
        for secret in ["SECRET-FILE-MARKER", "SECRET-NOTES-MARKER", "plan.txt", "notes.txt", "the plan"] {
            #expect(!text.contains(secret), "\(secret) is in the bucket in plaintext")
        }
        // Without keys, every object still verifies.
        let v = RoomVerifier().verify(roomID: a.roomID, objects: try await storedObjects(world.store, roomID: a.roomID))
        #expect(v.rejected.isEmpty)
        #expect(v.alarms.isEmpty)
    }

    @Test func anEpochIsUsedUpAfterItsEventsAndANewOneStarts() async throws {
        let world = try await World.make(.folder)
        defer { try? FileManager.default.removeItem(at: world.root) }
        let alice = try world.member("alice", seed: 1)
        let a = try await RoomSession.create(name: "Short epochs", isPrivate: true, identity: alice.identity, store: world.store,
                                             stateFolder: alice.state, epochPolicy: EpochPolicy(maxEvents: 3))
        await a.startUploading()
        var sent: [Event] = []
        for i in 0..<7 { sent.append(try await a.send("message \(i)")) }
        try await Self.settle([a])
        let state = await a.sync.verification.state
        let epochs = sent.compactMap { event -> String? in
            guard case .encrypted(let sealed) = event.content else { return nil }
            return sealed.epoch
        }
        #expect(epochs.count == 7)
        #expect(Set(epochs).count == 3, "3 + 3 + 1 events: three epochs")
        #expect(state.epochs.byID.count == 3)
        #expect(await Self.opened(a).count == 7)
    }
}
