@testable import ChatEngine
import ChatProtocol
import Foundation
import ObjectStore
import Testing

/// Shared files end to end: the blob area, blobs uploaded before the events
/// that name them, and the on-demand attachment cache that checks the hash.
@Suite struct AttachmentTests {
    /// Two members of one room in a store, each with a state folder and a cache.
    struct Room {
        let root: URL
        let store: any ObjectStore
        let alice: RoomSession
        let bob: RoomSession

        var roomID: String { alice.roomID }

        func remove() { try? FileManager.default.removeItem(at: root) }

        /// Writes a file of these bytes in the test's folder and returns its path.
        func file(_ name: String, _ bytes: [UInt8]) throws -> String {
            let folder = root.appendingPathComponent("files-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let path = folder.appendingPathComponent(name).path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            return path
        }
    }

    static func identity(_ name: String, seed: UInt8) throws -> DeviceIdentity {
        DeviceIdentity(senderID: "user:\(name)", clientID: "\(name)_d1", key: try SigningKey(seed: [UInt8](repeating: seed, count: 32)))
    }

    /// Alice creates a room in `store` (a local folder when nil), invites Bob, Bob joins.
    static func room(store given: (any ObjectStore)? = nil, bobFileLimit: Int64 = FileLimit.standard,
                     policy: UploadPolicy = .standard) async throws -> Room {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("bucketchat-attach-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let store = given ?? LocalFolderStore(root: root.appendingPathComponent("store").path)
        let alice = try identity("alice", seed: 1)
        let bob = try identity("bob", seed: 2)
        let a = try await RoomSession.create(name: "Files", identity: alice, store: store, stateFolder: root.appendingPathComponent("alice").path,
                                             cache: try ObjectCache(directory: root.appendingPathComponent("alice-cache")), policy: policy)
        await a.startUploading()
        try await a.invite(bob.senderID, key: bob.key.publicKey)
        try await a.outbox.flush()
        let b = try RoomSession(roomID: a.roomID, identity: bob, store: store, stateFolder: root.appendingPathComponent("bob").path,
                                cache: try ObjectCache(directory: root.appendingPathComponent("bob-cache")), fileLimit: bobFileLimit)
        await b.startUploading()
        await b.refresh()
        try await b.join(displayName: "Bob")
        try await b.outbox.flush()
        await a.refresh()
        return Room(root: root, store: store, alice: a, bob: b)
    }

    static func random(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    static func blobs(_ session: RoomSession) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: session.outbox.blobs.folder)) ?? []).sorted()
    }

    static func attachmentKeys(_ store: any ObjectStore, roomID: String) async throws -> [String] {
        try await store.list(prefix: RoomObjectKey.roomPrefix(roomID: roomID) + "attachments/").map(\.key)
    }

    @Test func sharedFileArrivesAtAnotherIdentityByteForByte() async throws {
        let room = try await Self.room()
        defer { room.remove() }
        // Over three 1 MiB copy pieces, and not a multiple of one.
        let bytes = Self.random(3 * (1 << 20) + 12_345)
        let path = try room.file("holiday photo.JPG", bytes)
        let sent = try await room.alice.shareFile(path: path, caption: "from the beach")
        guard case .message(let message) = sent.content, let file = message.file else {
            Issue.record("not a file message")
            return
        }
        #expect(message.msgtype == "m.file" && message.body == "from the beach")
        #expect(file == MessageContent.FileInfo(name: "holiday photo.JPG", size: Int64(bytes.count), mimetype: "image/jpeg",
                                                sha256: SHA256.hexDigest(bytes)))
        #expect(Self.blobs(room.alice) == [file.sha256], "the bytes wait in the blob area until uploaded")
        try await room.alice.outbox.flush()
        #expect(Self.blobs(room.alice).isEmpty, "an uploaded blob leaves the blob area")
        #expect(await room.alice.attachments.cachedPath(sha256: file.sha256) != nil, "the sender's copy moves into its cache")

        await room.bob.refresh()
        let files = await room.bob.files()
        #expect(files.map(\.eventID) == [sent.eventID])
        #expect(files.first?.senderID == "user:alice")
        let fetched = try await room.bob.fetchFile(EventReference.short(sent.eventID))
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: fetched))) == bytes)
        #expect(fetched.hasPrefix(room.root.appendingPathComponent("bob-cache").path))
        #expect(await room.bob.attachmentAlarms().isEmpty)
    }

    @Test(arguments: [0, 1])
    func tinyFilesRoundTrip(_ size: Int) async throws {
        let room = try await Self.room()
        defer { room.remove() }
        let bytes = Self.random(size)
        let sent = try await room.alice.shareFile(path: try room.file("tiny.bin", bytes))
        try await room.alice.outbox.flush()
        await room.bob.refresh()
        let fetched = try await room.bob.fetchFile(sent.eventID)
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: fetched))) == bytes)
        #expect(try await Self.attachmentKeys(room.store, roomID: room.roomID).count == 1)
    }

    @Test func twoSharesOfTheSameBytesMakeOneBlob() async throws {
        let room = try await Self.room()
        defer { room.remove() }
        let bytes = Self.random(5000)
        let first = try await room.alice.shareFile(path: try room.file("a.txt", bytes))
        try await room.alice.outbox.flush()
        // The second share comes after the first was uploaded and its blob tidied away.
        let second = try await room.alice.shareFile(path: try room.file("b.txt", bytes))
        let third = try await room.bob.shareFile(path: try room.file("c.txt", bytes))
        try await room.alice.outbox.flush()
        try await room.bob.outbox.flush()
        #expect(try await Self.attachmentKeys(room.store, roomID: room.roomID) == [
            RoomObjectKey.attachmentKey(roomID: room.roomID, sha256: SHA256.hexDigest(bytes)),
        ])
        #expect(Self.blobs(room.alice).isEmpty && Self.blobs(room.bob).isEmpty)
        await room.bob.refresh()
        #expect(await room.bob.files().map(\.file.name) == ["a.txt", "b.txt", "c.txt"])
        #expect(await room.bob.files().map(\.eventID) == [first.eventID, second.eventID, third.eventID])
    }

    @Test func bytesWrittenInPiecesAreSharedLikeAFile() async throws {
        let room = try await Self.room()
        defer { room.remove() }
        let bytes = Self.random(70_000)
        let writer = try room.alice.beginFile(name: "notes.md")
        for start in stride(from: 0, to: bytes.count, by: 4096) {
            try writer.append(Array(bytes[start..<min(bytes.count, start + 4096)]))
        }
        let blob = try writer.finish()
        #expect(blob.sha256 == SHA256.hexDigest(bytes) && blob.size == Int64(bytes.count))
        let sent = try await room.alice.shareBlob(blob, name: "notes.md")
        guard case .message(let message) = sent.content else { return }
        #expect(message.file?.mimetype == "text/markdown" && message.body == "notes.md")
        try await room.alice.outbox.flush()
        await room.bob.refresh()
        let fetched = try await room.bob.fetchFile(sent.eventID)
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: fetched))) == bytes)
    }

    @Test func blobIsPutBeforeTheEventAndAFailingBlobHoldsTheBatchBack() async throws {
        let store = OrderedStore()
        let room = try await Self.room(store: store, policy: UploadPolicy(retryBase: .milliseconds(20), retryCap: .milliseconds(100)))
        defer { room.remove() }
        await store.failAttachments(true)
        let before = await store.keys.count
        let sent = try await room.alice.shareFile(path: try room.file("data.csv", Self.random(2000)))
        #expect(try await eventually(seconds: 10) { await store.attachmentFailures >= 3 }, "the blob upload is retried")
        let whileFailing = await store.keys.dropFirst(before)
        #expect(whileFailing.isEmpty, "no log object goes up while its blob cannot: \(whileFailing)")
        #expect(await room.alice.outbox.status.pendingEvents == 1)
        #expect(Self.blobs(room.alice).count == 1)

        await store.failAttachments(false)
        try await room.alice.outbox.flush()
        let keys = Array(await store.keys.dropFirst(before))
        #expect(keys.count == 2)
        #expect(keys.first?.contains("/attachments/") == true, "the blob first: \(keys)")
        #expect(keys.last.flatMap { LogObjectName(key: $0) } != nil)
        await room.bob.refresh()
        #expect(await room.bob.files().map(\.eventID) == [sent.eventID])
    }

    @Test func tamperedBlobIsAMismatchAndNothingIsCached() async throws {
        let room = try await Self.room()
        defer { room.remove() }
        let bytes = Self.random(10_000)
        let sent = try await room.alice.shareFile(path: try room.file("contract.pdf", bytes))
        try await room.alice.outbox.flush()
        let sha = SHA256.hexDigest(bytes)
        // Someone with write access swaps the bytes behind the store's back.
        let objectPath = room.root.appendingPathComponent("store").path + "/" + RoomObjectKey.attachmentKey(roomID: room.roomID, sha256: sha)
        try FileManager.default.removeItem(atPath: objectPath)
        var forged = bytes
        forged[5000] ^= 0xFF
        try Data(forged).write(to: URL(fileURLWithPath: objectPath))

        await room.bob.refresh()
        await #expect(throws: EngineError.self) { _ = try await room.bob.fetchFile(sent.eventID) }
        do {
            _ = try await room.bob.fetchFile(sent.eventID)
        } catch {
            #expect(error.code == .attachmentMismatch)
            #expect(error.message.contains("contract.pdf") && error.message.contains(room.roomID) && error.message.contains(sha))
            #expect(error.message.contains(EventReference.short(sent.eventID)))
        }
        let cacheFolder = room.bob.attachments.folder
        let left = ((try? FileManager.default.contentsOfDirectory(atPath: cacheFolder)) ?? []).filter { $0 != "alarms.jsonl" }
        #expect(left.isEmpty, "nothing kept: \(left)")
        let alarms = await room.bob.attachmentAlarms()
        #expect(alarms.map(\.kind) == [.attachmentMismatch])
        #expect(alarms.first?.eventID == sent.eventID && alarms.first?.senderID == "user:alice")
        // Another process of the same store sees the alarm.
        #expect(await AttachmentCache(folder: cacheFolder).alarms(roomID: room.roomID).map(\.kind) == [.attachmentMismatch])

        // A blob larger than the event says is a mismatch too.
        try FileManager.default.removeItem(atPath: objectPath)
        try Data(bytes + [0]).write(to: URL(fileURLWithPath: objectPath))
        do {
            _ = try await room.bob.fetchFile(sent.eventID)
            Issue.record("a longer blob was accepted")
        } catch {
            #expect(error.code == .attachmentMismatch)
        }
    }

    @Test func missingBlobIsAttachmentMissing() async throws {
        let room = try await Self.room()
        defer { room.remove() }
        let bytes = Self.random(100)
        let sent = try await room.alice.shareFile(path: try room.file("gone.txt", bytes))
        try await room.alice.outbox.flush()
        try FileManager.default.removeItem(atPath: room.root.appendingPathComponent("store").path + "/"
                                           + RoomObjectKey.attachmentKey(roomID: room.roomID, sha256: SHA256.hexDigest(bytes)))
        await room.bob.refresh()
        do {
            _ = try await room.bob.fetchFile(sent.eventID)
            Issue.record("a missing blob was fetched")
        } catch {
            #expect(error.code == .attachmentMissing)
            #expect(error.message.contains("gone.txt"))
        }
        #expect(await room.bob.attachmentAlarms().map(\.kind) == [.attachmentMissing])
    }

    @Test func concurrentFetchesShareOneDownload() async throws {
        let store = OrderedStore()
        let room = try await Self.room(store: store)
        defer { room.remove() }
        let bytes = Self.random(300_000)
        let sent = try await room.alice.shareFile(path: try room.file("big.bin", bytes))
        try await room.alice.outbox.flush()
        await room.bob.refresh()
        let bob = room.bob
        let paths = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<8 { group.addTask { try await bob.fetchFile(sent.eventID) } }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(Set(paths).count == 1)
        #expect(await store.downloads == 1)
    }

    @Test func fileOverTheLimitIsRefusedAtShareTime() async throws {
        let room = try await Self.room(bobFileLimit: 10)
        defer { room.remove() }
        let path = try room.file("eleven.bin", Self.random(11))
        do {
            _ = try await room.bob.shareFile(path: path)
            Issue.record("an 11-byte file was shared under a 10-byte limit")
        } catch {
            #expect(error.code == .fileTooLarge)
            #expect(error.message.contains("eleven.bin") && error.message.contains("10 bytes") && error.message.contains(FileLimit.setting))
        }
        // The writer path refuses too, as the bytes arrive.
        let writer = try room.bob.beginFile(name: "stream.bin")
        try writer.append(Self.random(10))
        #expect(throws: EngineError.self) { try writer.append([1]) }
        #expect(Self.blobs(room.bob).isEmpty)
        #expect(await room.bob.outbox.status.pendingEvents == 0)
        // Exactly at the limit is fine.
        _ = try await room.bob.shareFile(path: try room.file("ten.bin", Self.random(10)))

        // Downloads keep to the limit unless the caller overrides it.
        let big = try await room.alice.shareFile(path: try room.file("big.bin", Self.random(100)))
        try await room.alice.outbox.flush()
        await room.bob.refresh()
        do {
            _ = try await room.bob.fetchFile(big.eventID)
            Issue.record("a 100-byte file was fetched under a 10-byte limit")
        } catch {
            #expect(error.code == .fileTooLarge && error.message.contains("big.bin"))
        }
        _ = try await room.bob.fetchFile(big.eventID, limit: 1000)
    }

    @Test func refusedNamesAreNotSent() async throws {
        let room = try await Self.room()
        defer { room.remove() }
        let path = try room.file("ok.txt", [1, 2, 3])
        do {
            _ = try await room.alice.shareFile(path: path, name: "evil\u{202E}txt.exe")
            Issue.record("a name with a bidi override was shared")
        } catch {
            #expect(error.code == .invalidEvent)
        }
        #expect(Self.blobs(room.alice).isEmpty)
    }

    @Test func redactedFilesAreNotListed() async throws {
        let room = try await Self.room()
        defer { room.remove() }
        let kept = try await room.alice.shareFile(path: try room.file("keep.txt", [1]))
        let gone = try await room.alice.shareFile(path: try room.file("drop.txt", [2]))
        try await room.alice.redact(gone.eventID)
        try await room.alice.outbox.flush()
        await room.bob.refresh()
        #expect(await room.bob.files().map(\.eventID) == [kept.eventID])
    }

    @Test func shareFileCrossesTheOwnersSocketAsWire() throws {
        let action = RoomAction.shareFile(path: "/tmp/a b.txt", name: "report.txt", mimetype: "text/plain", caption: nil, replyTo: "abc")
        #expect(try RoomAction(wire: action.wire) == action)
        let bare = RoomAction.shareFile(path: "/x")
        #expect(try RoomAction(wire: bare.wire) == bare)
        #expect(throws: EngineError.self) { try RoomAction(wire: RoomAction.shareFile(path: "relative.txt").wire) }
    }
}

/// A memory store that records the order of every put, counts downloads,
/// and can refuse attachment uploads.
actor OrderedStore: ObjectStore {
    let inner = MemoryStore()
    private(set) var keys: [String] = []
    private(set) var attachmentFailures = 0
    private(set) var downloads = 0
    private var failing = false

    nonisolated var locationDescription: String { "ordered:" }

    func failAttachments(_ on: Bool) { failing = on }

    func list(prefix: String, startAfter: String?) async throws(StoreError) -> [ObjectInfo] { try await inner.list(prefix: prefix, startAfter: startAfter) }
    func get(_ key: ObjectKey) async throws(StoreError) -> Data { try await inner.get(key) }
    func head(_ key: ObjectKey) async throws(StoreError) -> ObjectInfo? { await inner.head(key) }

    func putIfAbsent(_ key: ObjectKey, _ bytes: Data) async throws(StoreError) -> PutOutcome {
        if failing, key.rawValue.contains("/attachments/") {
            attachmentFailures += 1
            throw StoreError(.unreachable, "test failure for \(key)")
        }
        let outcome = await inner.putIfAbsent(key, bytes)
        if outcome == .created { keys.append(key.rawValue) }
        return outcome
    }

    func download(_ key: ObjectKey, into sink: any ObjectSink, maxBytes: Int64) async throws(StoreError) -> Int64 {
        downloads += 1
        let bytes = try await inner.bytes(key)
        // Slow enough that concurrent fetches overlap.
        try? await Task.sleep(for: .milliseconds(100))
        guard Int64(bytes.count) <= maxBytes else { throw StoreError(.tooLarge, "too large") }
        var failure: StoreError?
        bytes.withUnsafeBytes { buffer in
            do throws(StoreError) { try sink.receive(buffer) } catch { failure = error }
        }
        if let failure { throw failure }
        return Int64(bytes.count)
    }
}
