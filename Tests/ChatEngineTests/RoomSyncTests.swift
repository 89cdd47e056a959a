import ChatEngine
import ChatProtocol
import Foundation
import ObjectStore
import Testing

@Suite struct RoomSyncTests {
    func bodies(_ updates: some Collection<RoomUpdate>) -> [String] {
        updates.compactMap { update in
            guard case .event(let e, _) = update, case .message(let m) = e.event.content else { return nil }
            return m.body
        }
    }

    @Test func firstSyncDeliversTheVerifiedHistoryThenOnlyWhatIsNew() async throws {
        let store = MemoryStore()
        var room = try await RoomWriter(roomID: "room_sync", store: store)
        try await room.addBob()
        try await room.upload("bob_b1", [room.say("bob_b1", "one"), room.say("bob_b1", "two")])
        let sync = RoomSync(store: store, roomID: "room_sync")
        let first = try await sync.sync()
        #expect(bodies(first) == ["one", "two"])
        #expect(first.contains { if case .stateChanged = $0 { return true } else { return false } })
        #expect(try await sync.sync().isEmpty, "nothing new, nothing delivered")
        try await room.upload("bob_b1", [room.say("bob_b1", "three")])
        let next = try await sync.sync(full: false)
        #expect(bodies(next) == ["three"])
        let verification = await sync.verification
        #expect(verification.state.membership["user:bob"] == .join)
    }

    @Test func lateUploadFromAnOfflineDeviceIsMarkedLate() async throws {
        let store = MemoryStore()
        var room = try await RoomWriter(roomID: "room_late", store: store)
        try await room.addBob()
        let offline = try room.say("bob_b1", "written offline")
        try await room.upload("alice_a1", [room.say("alice_a1", "meanwhile")])
        let sync = RoomSync(store: store, roomID: "room_late")
        #expect(bodies(try await sync.sync()) == ["meanwhile"])
        try await room.upload("bob_b1", [offline])
        // The late object carries an old date; only a full rescan is sure to see it.
        let updates = try await sync.sync(full: true)
        let late = updates.compactMap { update -> Bool? in
            guard case .event(let e, let late) = update, case .message = e.event.content else { return nil }
            return late
        }
        #expect(late == [true])
        #expect(bodies(updates) == ["written offline"])
    }

    @Test func tamperedObjectShowsAsRejectionNeverAsMessage() async throws {
        let store = MemoryStore()
        var room = try await RoomWriter(roomID: "room_tamper", store: store)
        let event = try room.say("alice_a1", "genuine")
        let forged = try Event.signed(roomID: room.roomID, eventID: nil, timestampMs: event.timestampMs + 1, senderID: "user:alice",
                                      type: EventType.message, content: MessageContent(body: "forged").json,
                                      prevEventHash: event.hash, key: RoomWriter.key(66))
        try await room.upload("alice_a1", [event])
        try await room.upload("mallory", [forged])
        let updates = try await RoomSync(store: store, roomID: "room_tamper").sync()
        #expect(bodies(updates) == ["genuine"])
        #expect(updates.contains { if case .rejected(let r) = $0 { return r.reason == .badSignature } else { return false } })
    }

    @Test func cacheMeansARestartFetchesOnlyNewObjects() async throws {
        let store = CountingStore(inner: MemoryStore())
        var room = try await RoomWriter(roomID: "room_cache", store: store)
        try await room.upload("alice_a1", [room.say("alice_a1", "a")])
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bucketchat-cache-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try await RoomSync(store: store, roomID: "room_cache", cache: ObjectCache(directory: dir)).sync()
        let firstGets = await store.gets
        #expect(firstGets == 3, "metadata and two log objects")
        try await room.upload("alice_a1", [room.say("alice_a1", "b")])
        let restarted = RoomSync(store: store, roomID: "room_cache", cache: try ObjectCache(directory: dir))
        #expect(bodies(try await restarted.sync()) == ["a", "b"])
        #expect(await store.gets == firstGets + 1, "only the new object is fetched")
    }

    @Test func aLocalFoldersObjectsAreReadWhereTheyAreNotCopiedToTheCache() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("bucketchat-local-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let store = LocalFolderStore(root: root.appendingPathComponent("store").path)
        #expect(store.isLocal && !MemoryStore().isLocal)
        var room = try await RoomWriter(roomID: "room_local", store: store)
        try await room.upload("alice_a1", [room.say("alice_a1", "a")])
        let cacheDir = root.appendingPathComponent("cache")
        let sync = RoomSync(store: store, roomID: "room_local", cache: try ObjectCache(directory: cacheDir))
        #expect(bodies(try await sync.sync()) == ["a"])
        await sync.snapshotWritten()
        let cache = try ObjectCache(directory: cacheDir)
        #expect(cache.infos(prefix: "rooms/").isEmpty, "no copy of a local folder's objects")
        #expect(cache.snapshot(roomID: "room_local") != nil, "the room's snapshot is still written")
        try await room.upload("alice_a1", [room.say("alice_a1", "b")])
        let reopened = RoomSync(store: store, roomID: "room_local", cache: cache)
        #expect(bodies(try await reopened.sync()) == ["a", "b"])
        #expect(await reopened.restoredFromSnapshot)
    }

    @Test func theFirstSyncDeliversTheHistoryOnceInOrderAndNoneLate() async throws {
        let store = MemoryStore()
        var room = try await RoomWriter(roomID: "room_history", store: store)
        try await room.addBob()
        // Bob's message is written first but uploaded last: in the history it is simply in its place.
        let early = try room.say("bob_b1", "early")
        try await room.upload("alice_a1", [room.say("alice_a1", "later")])
        try await room.upload("bob_b1", [early])
        let sync = RoomSync(store: store, roomID: "room_history")
        let first = try await sync.sync()
        #expect(bodies(first) == ["early", "later"])
        #expect(first.allSatisfy { if case .event(_, let late) = $0 { return !late } else { return true } })
        #expect(first.contains { if case .stateChanged = $0 { return true } else { return false } })
        // A full run later (a second copy of an object: duplicates to merge) must deliver nothing delivered before.
        try await room.upload("bob_copy", [early])
        let again = try await sync.sync(full: true)
        #expect(again.isEmpty)
        try await room.upload("alice_a1", [room.say("alice_a1", "new")])
        #expect(bodies(try await sync.sync(full: true)) == ["new"])
    }

    /// A first sync checks what it has fetched in batches while it fetches
    /// the rest; with batches of one or two objects and a store that fails
    /// part of the way, the room must still come out as one verification of
    /// everything, each event delivered once.
    @Test func batchesCheckedWhileFetchingGiveTheSameRoomAndSurviveAFailure() async throws {
        let store = FailingStore()
        var room = try await RoomWriter(roomID: "room_batches", store: store)
        try await room.addBob()
        var said: [String] = []
        for i in 0..<12 {
            let client = i % 3 == 0 ? "bob_b1" : "alice_a1"
            try await room.upload(client, [room.say(client, "m\(i)")])
            said.append("m\(i)")
        }
        var settings = SyncSettings()
        settings.checkBatchObjects = 2
        settings.parallelFetches = 3
        let sync = RoomSync(store: store, roomID: "room_batches", settings: settings)
        await store.failReads(after: 7)
        await #expect(throws: StoreError.self) { try await sync.sync() }
        let updates = try await sync.sync()
        #expect(bodies(updates) == said, "every message, once, in order")
        let objects = try await storedObjects(store.inner, roomID: "room_batches")
        let expected = RoomVerifier().verify(roomID: "room_batches", objects: objects)
        let verification = await sync.verification
        #expect(verification.accepted.map(\.event.eventID) == expected.accepted.map(\.event.eventID))
        #expect(verification.alarms.isEmpty && verification.rejected.isEmpty)
        #expect(try await sync.sync(full: true).isEmpty, "nothing twice")
    }

    @Test func pollsListOnlyWhatIsNewAndTheRescanFindsVeryLateFiles() async throws {
        let store = CountingStore(inner: MemoryStore())
        var room = try await RoomWriter(roomID: "room_poll", store: store)
        try await room.upload("alice_a1", [room.sign("alice_a1", EventType.member, JSONObject([("membership", "invite"), ("user_id", "user:carol")]))])
        let invitedAt = room.now
        // Carol's device writes right after the invite but uploads only much later.
        room.devices["carol_c1"] = DeviceChain(roomID: room.roomID, senderID: "user:carol", key: try RoomWriter.key(3))
        let late = [try room.join("carol_c1"), try room.say("carol_c1", "very late")]
        room.now = invitedAt + 5 * 60_000
        try await room.upload("alice_a1", [room.say("alice_a1", "one")])
        // The reader's clock agrees with the writers' (now five minutes on), so the
        // listing watermark follows alice's newest file rather than stopping at the reader's clock.
        let sync = RoomSync(store: store, roomID: "room_poll", now: { Int64(Date().timeIntervalSince1970 * 1000) + 5 * 60_000 })
        #expect(bodies(try await sync.sync()) == ["one"])
        let firstLists = await store.listings.count
        #expect(await store.listings.last?.startAfter == nil, "the first sync lists the whole room")

        try await room.upload("alice_a1", [room.say("alice_a1", "two")])
        try await room.upload("carol_c1", late)
        let poll = try await sync.sync(full: false)
        #expect(bodies(poll) == ["two"], "a poll lists from the newest start it knows, less the margin")
        let pollLists = await store.listings.dropFirst(firstLists)
        #expect(!pollLists.isEmpty && pollLists.allSatisfy { $0.startAfter != nil })
        let rescan = try await sync.sync(full: true)
        #expect(bodies(rescan) == ["very late"])
    }

    @Test func fileLostWhileFollowingIsAGapAlarmAndLaterMessagesStillArrive() async throws {
        let store = LosingStore()
        var room = try await RoomWriter(roomID: "room_lost", store: store)
        try await room.addBob()
        var settings = SyncSettings()
        settings.activeInterval = .milliseconds(20)
        settings.idleInterval = .milliseconds(20)
        let sync = RoomSync(store: store, roomID: room.roomID, settings: settings)
        let received = UpdateLog()
        let following = Task { await sync.run(deliver: { await received.add($0) }, failed: { await received.fail($0) }) }
        defer { following.cancel() }

        // Generous waits: on two shared cores the whole suite can starve the poll
        // for a minute and more (tests that wait for child processes hold the
        // cooperative pool's threads), so the deadlines only catch a hang.
        try await room.upload("bob_b1", [room.say("bob_b1", "one")])
        #expect(try await eventually(seconds: 240) { await received.messageBodies() == ["one"] })
        // Listed, then gone before the reader fetches it; the next one is fine.
        let two = try room.say("bob_b1", "two")
        await store.loseOnRead(try LogFile.encode([two], roomID: room.roomID, clientID: "bob_b1").name.key)
        try await room.upload("bob_b1", [two])
        try await room.upload("bob_b1", [room.say("bob_b1", "three")])
        #expect(try await eventually(seconds: 240) { await received.messageBodies() == ["one", "three"] })
        #expect(try await eventually(seconds: 240) { await received.alarms.map(\.kind) == [.gap] })
        #expect(await received.alarms.first?.senderID == "user:bob")
        #expect(await received.failures.isEmpty, "a file listed but gone when read does not fail the poll")

        // A file the reader already has can go too: nothing is taken back, and the room goes on.
        let seen = try await room.upload("bob_b1", [room.say("bob_b1", "four")])
        #expect(try await eventually(seconds: 240) { await received.messageBodies() == ["one", "three", "four"] })
        await store.lose(seen)
        try await room.upload("bob_b1", [room.say("bob_b1", "five")])
        #expect(try await eventually(seconds: 240) { await received.messageBodies() == ["one", "three", "four", "five"] })
        #expect(await received.alarms.count == 1, "the one gap, reported once")
        let rejections = await received.problems.filter { $0.hasPrefix("rejected") }
        #expect(rejections.isEmpty)
    }

    @Test func mostPollsListAShortWindowAndTheWideOneComesRoundSoon() async throws {
        let store = CountingStore(inner: MemoryStore())
        var room = try await RoomWriter(roomID: "room_window", store: store)
        try await room.addBob()
        // The reader's clock is the writers', and the test moves it.
        let clock = TestClock(room.now)
        let sync = RoomSync(store: store, roomID: room.roomID, now: clock.now)
        _ = try await sync.sync()

        room.now += 30_000
        try await room.upload("alice_a1", [room.say("alice_a1", "on time")])
        // Bob's upload was held up: it is named 20 s before alice's newest file.
        let aliceTime = room.now
        room.now = aliceTime - 20_000
        let held = try room.say("bob_b1", "held up 20 s")
        room.now = aliceTime
        clock.set(aliceTime + 1_000)
        _ = try await sync.sync(full: false)
        try await room.upload("bob_b1", [held])
        clock.set(aliceTime + 2_000)
        let quick = try await sync.sync(full: false)
        #expect(bodies(quick).isEmpty, "a quick poll lists a short window before the newest file, not 20 s")
        // Nothing has been late so far, so the window is the slack (RoomSyncWindowTests).
        #expect(await store.listings.last?.startAfter?.hasSuffix("messages_\(aliceTime - 1_000)") == true)
        clock.set(aliceTime + 12_000)
        let wide = try await sync.sync(full: false)
        #expect(bodies(wide) == ["held up 20 s"], "the wide window (60 s) comes round within wideListingInterval (10 s)")
    }

    @Test func adaptiveIntervalIsFastWhileActiveAndSlowWhenIdle() async throws {
        let store = MemoryStore()
        var room = try await RoomWriter(roomID: "room_pace", store: store)
        var settings = SyncSettings()
        settings.activeInterval = .milliseconds(100)
        settings.idleInterval = .seconds(3)
        settings.idleAfter = .seconds(10)
        let sync = RoomSync(store: store, roomID: "room_pace", settings: settings)
        #expect(await sync.currentInterval == .seconds(3), "no activity yet")
        try await room.upload("alice_a1", [room.say("alice_a1", "hi")])
        _ = try await sync.sync()
        let after = ContinuousClock.now
        #expect(await sync.interval(at: after) == .milliseconds(100))
        #expect(await sync.interval(at: after + .seconds(11)) == .seconds(3))
    }
}

/// Counts GETs, to show what a restart fetches.
actor CountingStore: ObjectStore {
    let inner: MemoryStore
    private(set) var gets = 0
    private(set) var listings: [(prefix: String, startAfter: String?)] = []

    init(inner: MemoryStore) {
        self.inner = inner
    }

    nonisolated var locationDescription: String { "counting" }

    func list(prefix: String, startAfter: String?) async throws(StoreError) -> [ObjectInfo] {
        listings.append((prefix, startAfter))
        return try await inner.list(prefix: prefix, startAfter: startAfter)
    }

    func get(_ key: ObjectKey) async throws(StoreError) -> Data {
        gets += 1
        return try await inner.get(key)
    }

    func head(_ key: ObjectKey) async throws(StoreError) -> ObjectInfo? { await inner.head(key) }

    func putIfAbsent(_ key: ObjectKey, _ bytes: Data) async throws(StoreError) -> PutOutcome { await inner.putIfAbsent(key, bytes) }
}

/// A memory store whose reads start failing after a number of them, until told otherwise.
actor FailingStore: ObjectStore {
    let inner = MemoryStore()
    private var readsLeft: Int?

    nonisolated var locationDescription: String { "failing:" }

    func failReads(after count: Int) { readsLeft = count }

    func list(prefix: String, startAfter: String?) async throws(StoreError) -> [ObjectInfo] {
        try await inner.list(prefix: prefix, startAfter: startAfter)
    }

    func get(_ key: ObjectKey) async throws(StoreError) -> Data {
        if let left = readsLeft {
            guard left > 0 else {
                readsLeft = nil
                throw StoreError(.unreachable, "the test store is down")
            }
            readsLeft = left - 1
        }
        return try await inner.get(key)
    }

    func head(_ key: ObjectKey) async throws(StoreError) -> ObjectInfo? { await inner.head(key) }

    func putIfAbsent(_ key: ObjectKey, _ bytes: Data) async throws(StoreError) -> PutOutcome { await inner.putIfAbsent(key, bytes) }
}
