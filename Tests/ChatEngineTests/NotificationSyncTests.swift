@testable import ChatEngine
import ChatProtocol
import Foundation
import ObjectStore
import Synchronization
import Testing

/// Notifications a test hands out by hand, through a memory store.
final class ScriptedNotifications: StoreNotifications, Sendable {
    let queue = ScriptedQueue()
    let openFailure: StoreError?

    init(openFailure: StoreError? = nil) { self.openFailure = openFailure }

    var description: String { "scripted notifications" }

    func openFeed(_ request: ChangeFeedRequest) async throws(StoreError) -> any ChangeFeed {
        if let openFailure { throw openFailure }
        return Feed(queue: queue)
    }

    func deliver(_ batch: ChangeBatch) async { await queue.deliver(batch) }
    func fail(_ error: StoreError) async { await queue.fail(error) }
    var acknowledged: Int { get async { await queue.acknowledged } }
    var receivesWaiting: Int { get async { await queue.waitingNow } }
    var mostReceivesWaiting: Int { get async { await queue.mostWaiting } }

    struct Feed: ChangeFeed {
        let queue: ScriptedQueue
        var description: String { "scripted feed" }
        func receive() async throws(StoreError) -> ChangeBatch {
            switch await queue.next() {
            case .success(let batch): return batch
            case .failure(let error): throw error
            }
        }
        func acknowledge(_ batch: ChangeBatch) async throws(StoreError) { await queue.ack(batch.messageCount) }
    }
}

/// The batches (or a failure) the next receives get, in order; receives
/// may wait at once (a follower draining a backlog), served first come.
actor ScriptedQueue {
    private var queued: [Result<ChangeBatch, StoreError>] = []
    private var waiting: [CheckedContinuation<Result<ChangeBatch, StoreError>, Never>] = []
    private(set) var acknowledged = 0
    /// The most receives that waited at once.
    private(set) var mostWaiting = 0

    func deliver(_ batch: ChangeBatch) { push(.success(batch)) }
    func fail(_ error: StoreError) { push(.failure(error)) }

    private func push(_ item: Result<ChangeBatch, StoreError>) {
        if waiting.isEmpty {
            queued.append(item)
        } else {
            waiting.removeFirst().resume(returning: item)
        }
    }

    func next() async -> Result<ChangeBatch, StoreError> {
        if !queued.isEmpty { return queued.removeFirst() }
        return await withCheckedContinuation { continuation in
            waiting.append(continuation)
            mostWaiting = max(mostWaiting, waiting.count)
        }
    }

    /// Receives waiting now.
    var waitingNow: Int { waiting.count }

    func ack(_ count: Int) { acknowledged += count }
}

/// Log lines a follower wrote.
final class LogLines: Sendable {
    private let lines = Mutex<[String]>([])
    func add(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
    var warnings: [String] { all.filter { $0.contains("warning") } }
}

/// The read path driven by notifications, over a memory store and scripted
/// notices: hinted keys are fetched without a LIST, duplicates change
/// nothing, a notice that cannot be used and a gap in a chain make the room
/// list at once, and a feed that cannot be opened leaves the room polling
/// with one warning.
@Suite struct NotificationSyncTests {
    static let roomID = "room_notified01"

    func setUp() async throws -> (CountingStore, RoomWriter, RoomSync) {
        let memory = MemoryStore()
        let store = CountingStore(inner: memory)
        var writer = try await RoomWriter(roomID: Self.roomID, store: memory)
        writer.now = Int64(Date().timeIntervalSince1970 * 1000) - 5_000
        var settings = SyncSettings()
        settings.notifiedListingInterval = .seconds(3600)
        let sync = RoomSync(store: store, roomID: Self.roomID, settings: settings)
        return (store, writer, sync)
    }

    func info(_ store: CountingStore, _ key: String) async throws -> ObjectInfo {
        try #require(await store.inner.head(ObjectKey(key)))
    }

    func bodies(_ delivery: SyncDelivery) -> [String] {
        delivery.compactMap { update in
            guard case .event(let e, _) = update, case .message(let m) = e.event.content else { return nil }
            return m.body
        }
    }

    @Test func hintsFetchWithoutListingAndDuplicatesAreNoOps() async throws {
        var (store, writer, sync) = try await setUp()
        _ = try await sync.sync()
        await sync.notificationsStarted()
        _ = try await sync.sync()  // the listing notifications start with
        let listed = await store.listings.count

        let events = [try writer.say("alice_a1", "one"), try writer.say("alice_a1", "two")]
        let key = try await writer.upload("alice_a1", events)
        let hinted = try await info(store, key)
        await sync.hint([hinted])
        #expect(await sync.currentInterval == .zero, "a hint wakes the room")
        #expect(bodies(try await sync.sync()) == ["one", "two"])
        #expect(await store.listings.count == listed, "fetched from the hint, no LIST")

        // The same notice again, twice: nothing to fetch, nothing delivered.
        await sync.hint([hinted, hinted])
        #expect(try await sync.sync().isEmpty)
        #expect(await store.listings.count == listed)
        #expect(await sync.hintedObjects == 1)
        // A later listing finds the object known as the hint described it.
        await sync.requestListing()
        #expect(try await sync.sync().isEmpty)
        #expect(await store.listings.count > listed)
    }

    @Test func aGapAfterAHintListsAtOnceAndDeliversInOrder() async throws {
        var (store, writer, sync) = try await setUp()
        _ = try await sync.sync()
        await sync.notificationsStarted()
        _ = try await sync.sync()
        let listed = await store.listings.count

        // Two files of one device; the notice of the first is lost.
        let first = try writer.say("alice_a1", "first")
        _ = try await writer.upload("alice_a1", [first])
        let next = try writer.say("alice_a1", "second")
        let second = try await writer.upload("alice_a1", [next])
        await sync.hint([try await info(store, second)])
        let delivered = try await sync.sync()
        #expect(bodies(delivered) == ["first", "second"], "the listing the gap asked for found the first")
        #expect(await store.listings.count > listed)
        let alarms = delivered.filter { if case .alarm = $0 { return true } else { return false } }
        #expect(alarms.isEmpty, "a gap closed within the sync raises no alarm")
    }

    @Test func anUnusableNoticeMakesEveryRoomList() async throws {
        var (store, writer, sync) = try await setUp()
        let notifications = ScriptedNotifications()
        let lines = LogLines()
        let follower = NotificationFollower(notifications: notifications, subscriber: "user:bob/bob_b1", log: { lines.add($0) })
        _ = try await sync.sync()
        await follower.add(sync)
        await follower.start()
        #expect(try await eventually(seconds: 5) { await follower.state == .active })
        #expect(await sync.notificationsAreActive)
        _ = try await sync.sync()
        let listed = await store.listings.count

        let found = try writer.say("alice_a1", "found by listing")
        _ = try await writer.upload("alice_a1", [found])
        await notifications.deliver(ChangeBatch(unusable: 1, receipts: ["r1"]))
        #expect(try await eventually(seconds: 5) { await notifications.acknowledged == 1 })
        #expect(await sync.currentInterval == .zero)
        #expect(bodies(try await sync.sync()) == ["found by listing"])
        #expect(await store.listings.count > listed)

        // A notice for a room not followed goes to the unknown-room handler, not to this one.
        let unknown = Mutex<[String]>([])
        await follower.onUnknownRoom { id in unknown.withLock { $0.append(id) } }
        await notifications.deliver(ChangeBatch(created: [ObjectInfo(key: "rooms/room_other0001/metadata.json", size: 1, etag: "x")], receipts: ["r2"]))
        #expect(try await eventually(seconds: 5) { unknown.withLock { $0 } == ["room_other0001"] })
        await follower.stop()
        #expect(await !sync.notificationsAreActive)
        #expect(lines.warnings.isEmpty)
    }

    @Test func aFeedThatCannotOpenWarnsOnceAndLeavesPolling() async throws {
        let (_, _, sync) = try await setUp()
        let notifications = ScriptedNotifications(openFailure: StoreError(.accessDenied, "Access denied while receiving."))
        let lines = LogLines()
        let follower = NotificationFollower(notifications: notifications, subscriber: "user:bob/bob_b1", log: { lines.add($0) })
        await follower.add(sync)
        await follower.start()
        #expect(try await eventually(seconds: 5) { if case .polling = await follower.state { return true } else { return false } })
        #expect(lines.warnings.count == 1)
        #expect(lines.warnings.first?.contains("Access denied") == true)
        #expect(await !sync.notificationsAreActive)
        #expect(await sync.currentInterval == SyncSettings().idleInterval)
    }

    @Test func aFailingFeedFallsBackToPollingUntilItWorksAgain() async throws {
        let (_, _, sync) = try await setUp()
        let notifications = ScriptedNotifications()
        let lines = LogLines()
        let follower = NotificationFollower(notifications: notifications, subscriber: "user:bob/bob_b1", log: { lines.add($0) })
        await follower.add(sync)
        await follower.start()
        #expect(try await eventually(seconds: 5) { await follower.state == .active })
        await notifications.fail(StoreError(.unreachable, "SQS is unreachable"))
        #expect(try await eventually(seconds: 5) { await !sync.notificationsAreActive })
        // The retry (after a second) receives again: notifications back on.
        await notifications.deliver(ChangeBatch())
        #expect(try await eventually(seconds: 10) { await sync.notificationsAreActive })
        await follower.stop()
        #expect(lines.warnings.isEmpty, "a passing failure is no warning")
    }

    @Test func aBacklogMakesTheRoomListAsPollingWouldUntilItCatchesUp() async throws {
        var (store, writer, sync) = try await setUp()
        try await writer.addBob()
        await sync.notificationsStarted()
        _ = try await sync.sync()
        let listed = await store.listings.count

        // Two files; only the second's notice was received so far (the first is still in the queue).
        let early = try writer.say("bob_b1", "still queued")
        _ = try await writer.upload("bob_b1", [early])
        let later = try writer.say("alice_a1", "received")
        let laterKey = try await writer.upload("alice_a1", [later])
        await sync.catchUp()
        await sync.hint([try await info(store, laterKey)])
        #expect(await sync.catchUpRequested)
        // Not listed within an active interval of the last listing: the hint alone is fetched.
        let first = try await sync.sync()
        #expect(await store.listings.count == listed || bodies(first).count == 2)
        if await store.listings.count == listed {
            #expect(bodies(first) == ["received"])
            #expect(await sync.currentInterval <= SyncSettings().activeInterval, "listed within an active interval")
            try await Task.sleep(for: SyncSettings().activeInterval)
            #expect(bodies(try await sync.sync()) == ["still queued"], "the catch-up listing found what no hint named yet")
        }
        #expect(await store.listings.count == listed + 1)
        #expect(await !sync.catchUpRequested)
        // Caught up: back to hints, no LIST, and the safety listing an hour away.
        let next = try writer.say("alice_a1", "hinted")
        await sync.hint([try await info(store, try await writer.upload("alice_a1", [next]))])
        #expect(bodies(try await sync.sync()) == ["hinted"])
        #expect(await store.listings.count == listed + 1)
        #expect(await sync.currentInterval > .seconds(3000))
    }

    @Test func fullReceivesDrainAlongsideTheLongPoll() async throws {
        var (store, writer, sync) = try await setUp()
        let notifications = ScriptedNotifications()
        // The follower's clock stands still: how long a message waited is what the batch says, however slowly the suite runs.
        let clock: Int64 = 1_796_601_600_000
        let follower = NotificationFollower(notifications: notifications, subscriber: "user:bob/bob_b1", receivesAtOnce: 3,
                                            now: { clock }, log: { _ in })
        await follower.add(sync)
        await follower.start()
        #expect(try await eventually(seconds: 5) { await follower.state == .active })
        _ = try await sync.sync()
        #expect(await notifications.mostReceivesWaiting == 1, "one long poll while the queue is empty")

        // A full receive: the queue holds more. A second receive drains alongside.
        let event = try writer.say("alice_a1", "in a burst")
        let key = try await writer.upload("alice_a1", [event])
        await notifications.deliver(ChangeBatch(created: [try await info(store, key)], receipts: ["r1"], filled: true,
                                                oldestQueuedMs: clock - 100))
        #expect(try await eventually(seconds: 5) { await notifications.receivesWaiting == 2 })
        #expect(await !sync.catchUpRequested, "messages that waited 100 ms are no backlog")
        // More full receives: never more than receivesAtOnce in flight.
        for n in 2...6 { await notifications.deliver(ChangeBatch(receipts: ["r\(n)"], filled: true)) }
        #expect(try await eventually(seconds: 5) { await notifications.acknowledged == 6 })
        #expect(try await eventually(seconds: 5) { await notifications.receivesWaiting == 3 })
        #expect(await notifications.mostReceivesWaiting == 3)
        // Short receives end the extra loops (served first come: one to each waiting): one long poll again.
        for n in 7...9 { await notifications.deliver(ChangeBatch(receipts: ["r\(n)"])) }
        #expect(try await eventually(seconds: 5) { await notifications.receivesWaiting == 1 })
        #expect(try await eventually(seconds: 5) { await notifications.acknowledged == 9 }, "each batch acknowledged once")
        #expect(bodies(try await sync.sync()) == ["in a burst"])
        #expect(await follower.batchesBehind == 0)
        await follower.stop()
    }

    @Test func messagesThatWaitedInTheQueueMakeTheRoomsTheyNameCatchUp() async throws {
        var (store, writer, sync) = try await setUp()
        let notifications = ScriptedNotifications()
        let follower = NotificationFollower(notifications: notifications, subscriber: "user:bob/bob_b1", log: { _ in })
        await follower.add(sync)
        await follower.start()
        #expect(try await eventually(seconds: 5) { await follower.state == .active })
        _ = try await sync.sync()

        // The oldest message of a batch waited 5 s: the reader is behind its queue.
        let event = try writer.say("alice_a1", "late")
        let key = try await writer.upload("alice_a1", [event])
        await notifications.deliver(ChangeBatch(created: [try await info(store, key)], receipts: ["r1"], oldestQueuedMs: nowMs() - 5_000))
        #expect(try await eventually(seconds: 5) { await sync.catchUpRequested })
        #expect(await follower.batchesBehind == 1)
        // A notice for another room that waited does not make this one list.
        let other = RoomSync(store: store, roomID: "room_other0001")
        await follower.add(other)
        await notifications.deliver(ChangeBatch(created: [ObjectInfo(key: "rooms/\(Self.roomID)/x", size: 1, etag: "e")],
                                                receipts: ["r2"], oldestQueuedMs: nowMs() - 5_000))
        #expect(try await eventually(seconds: 5) { await notifications.acknowledged == 2 })
        #expect(await !other.catchUpRequested)
        await follower.stop()
    }

    func nowMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    @Test func waitingEndsAtAHint() async throws {
        let (store, _, sync) = try await setUp()
        await sync.notificationsStarted()
        _ = try await sync.sync()
        let started = ContinuousClock.now
        // Waits of ten minutes: ending well before that shows the wake-up,
        // however long a starved pool (the whole suite on two cores) takes.
        let waiter = Task { await sync.waitForWork(upTo: .seconds(600)) }
        try await Task.sleep(for: .milliseconds(50))
        await sync.hint([try await info(store, RoomObjectKey.metadataKey(roomID: Self.roomID)).renamed("rooms/\(Self.roomID)/logs/2026-01-01/messages_1_2_x.jsonl")])
        await waiter.value
        #expect(ContinuousClock.now - started < .seconds(300))
        // Cancelling a wait ends it too.
        let cancelled = Task { await sync.waitForWork(upTo: .seconds(600)) }
        _ = try await sync.sync()
        cancelled.cancel()
        await cancelled.value
        #expect(ContinuousClock.now - started < .seconds(300))
    }
}

extension ObjectInfo {
    func renamed(_ key: String) -> ObjectInfo { ObjectInfo(key: key, size: size, etag: etag) }
}
