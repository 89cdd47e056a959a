import ChatEngine
import ChatProtocol
import CloudHTTP
import Foundation
import ObjectStore
import S3Store
import Testing

/// A fresh bucket on the shared moto server (IAM enforced) with bucketchat's
/// notifications enabled (SNS topic, bucket configuration), members sending
/// with the writer's key, and readers that follow their own SQS queues.
final class NotifyWorld: Sendable {
    let bucket: String
    let endpoint: String
    let root: String
    let policy = UploadPolicy(schedule: .adaptive(linger: .milliseconds(20), minInterval: .milliseconds(30)),
                              retryBase: .milliseconds(20), retryCap: .milliseconds(300))
    static let prefix = "team/"

    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    static func credentials(_ key: String, _ secret: String) -> AWSCredentials {
        AWSCredentials(accessKeyId: environment[key] ?? "", secretAccessKey: environment[secret] ?? "")
    }

    static var admin: AWSCredentials { credentials("BUCKETCHAT_TEST_S3_ADMIN_KEY", "BUCKETCHAT_TEST_S3_ADMIN_SECRET") }
    static var writer: AWSCredentials { credentials("BUCKETCHAT_TEST_S3_KEY", "BUCKETCHAT_TEST_S3_SECRET") }
    /// The writer's rights without the notification ones.
    static var poller: AWSCredentials { credentials("BUCKETCHAT_TEST_S3_POLLER_KEY", "BUCKETCHAT_TEST_S3_POLLER_SECRET") }

    init(enable: Bool = true) async throws {
        endpoint = Self.environment["BUCKETCHAT_TEST_S3_ENDPOINT"] ?? ""
        bucket = "bc-notify-" + UUID().uuidString.prefix(8).lowercased()
        root = NSTemporaryDirectory() + "bucketchat-notify-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let admin = store(Self.admin)
        try await admin.createBucket()
        if enable { _ = try await S3Notifications(store: admin).enable() }
    }

    func store(_ credentials: AWSCredentials = NotifyWorld.writer) -> S3Store {
        let settings = AWSSettings(credentials: credentials, region: "us-east-1", endpoint: endpoint)
        return S3Store(S3Configuration(bucket: bucket, prefix: Self.prefix, settings: settings,
                                       client: HTTPClient(retry: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(20), maxDelay: .milliseconds(200)))))
    }

    /// SNS and SQS with the administrator's key, to break things as a test needs.
    var adminSNS: AWSServiceClient { AWSServiceClient(service: "sns", endpoint: endpoint, credentials: Self.admin, region: "us-east-1") }
    var adminSQS: AWSServiceClient { AWSServiceClient(service: "sqs", endpoint: endpoint, credentials: Self.admin, region: "us-east-1") }

    /// A member with its own device, uploading in the background: the room's
    /// creator when `creator` is nil, else invited by the creator and joined.
    func member(_ name: String, seed: UInt8, joining creator: RoomSession?) async throws -> RoomSession {
        let identity = DeviceIdentity(senderID: "user:\(name)", clientID: "\(name)_d1",
                                      key: try SigningKey(seed: [UInt8](repeating: seed, count: 32)))
        let state = root + "/" + name
        guard let creator else {
            let session = try await RoomSession.create(name: "Notified", identity: identity, store: store(), stateFolder: state, policy: policy)
            await session.startUploading()
            try await session.outbox.flush()
            return session
        }
        try await creator.invite(identity.senderID, key: identity.key.publicKey)
        try await creator.outbox.flush()
        let session = try RoomSession(roomID: creator.roomID, identity: identity, store: store(), stateFolder: state, policy: policy)
        await session.startUploading()
        await session.refresh()
        try await session.join()
        try await session.outbox.flush()
        return session
    }

    /// The SQS queue URL of a reader (as its follower named it).
    func queueURL(subscriber: String) async throws -> String {
        let name = S3Notifications(store: store()).queueName(subscriber: subscriber)
        let response = try await adminSQS.json("AmazonSQS.GetQueueUrl", ["QueueName": name], what: "test: queue url")
        let object = try JSONSerialization.jsonObject(with: response.body) as? [String: Any]
        return try #require(object?["QueueUrl"] as? String, "no queue \(name): \(response.bodySnippet)")
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }
}

/// Counts a reader's requests by kind; forwards the store's notifications.
actor RequestCounter: ObjectStore {
    let inner: any ObjectStore
    private(set) var lists = 0
    private(set) var gets = 0

    init(_ inner: any ObjectStore) { self.inner = inner }

    nonisolated var locationDescription: String { inner.locationDescription }
    nonisolated var notifications: (any StoreNotifications)? { inner.notifications }

    func list(prefix: String, startAfter: String?) async throws(StoreError) -> [ObjectInfo] {
        lists += 1
        return try await inner.list(prefix: prefix, startAfter: startAfter)
    }

    func get(_ key: ObjectKey) async throws(StoreError) -> Data {
        gets += 1
        return try await inner.get(key)
    }

    func head(_ key: ObjectKey) async throws(StoreError) -> ObjectInfo? { try await inner.head(key) }

    func putIfAbsent(_ key: ObjectKey, _ bytes: Data) async throws(StoreError) -> PutOutcome { try await inner.putIfAbsent(key, bytes) }
}

/// One reader: a sync of the room over a counting store, following the
/// store's notifications through its own queue, delivering into a log.
struct NotifiedReader {
    let counter: RequestCounter
    let sync: RoomSync
    let follower: NotificationFollower?
    let log = UpdateLog()
    let lines = LogLines()
    let subscriber: String
    let task: Task<Void, Never>

    /// - Parameter behindAfter: the follower's; long by default, since on the
    ///   suite's two cores messages often wait seconds in a queue, and the
    ///   tests that count listings count those of the safety net.
    init(world: NotifyWorld, roomID: String, name: String, settings: SyncSettings,
         credentials: AWSCredentials = NotifyWorld.writer, notify: Bool = true, behindAfter: Duration = .seconds(120)) async {
        counter = RequestCounter(world.store(credentials))
        sync = RoomSync(store: counter, roomID: roomID, settings: settings)
        subscriber = "user:\(name)/\(name)_reader"
        let lines = self.lines
        follower = notify ? counter.notifications.map {
            NotificationFollower(notifications: $0, subscriber: "user:\(name)/\(name)_reader", behindAfter: behindAfter, log: { lines.add($0) })
        } : nil
        if let follower {
            await follower.add(sync)
            await follower.start()
        }
        let sync = self.sync, log = self.log
        task = Task { await sync.run(deliver: { await log.add($0) }, failed: { await log.fail($0) }) }
    }

    func stop() async {
        task.cancel()
        await follower?.stop()
    }

    /// How many times each message body arrived.
    func counts() async -> [String: Int] {
        var out: [String: Int] = [:]
        for body in await log.messageBodies() { out[body, default: 0] += 1 }
        return out
    }

    func waitUntilActive() async throws {
        guard let follower else { return }
        let active = try await eventually(seconds: 20) { await follower.state == .active }
        let state = await follower.state
        #expect(active, "the follower never got going: \(state)")
    }
}

/// Notifications on moto, which delivers S3 → SNS → SQS on every PUT: the
/// readers fetch what notices name without listing, lose nothing when
/// notices are dropped (they list every safety interval), deliver nothing
/// twice when notices are duplicated, and poll with one warning when the
/// credentials may not use the queue.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["BUCKETCHAT_TEST_S3_ENDPOINT"] != nil,
                             "BUCKETCHAT_TEST_S3_ENDPOINT is not set: run scripts/test.sh, which starts moto_server"))
struct S3NotificationTests {
    static func settings(listingEvery interval: Duration) -> SyncSettings {
        var settings = SyncSettings()
        settings.notifiedListingInterval = interval
        settings.activeInterval = .milliseconds(250)
        settings.idleInterval = .milliseconds(500)
        return settings
    }

    /// Sends `count` messages from each session at once, in little bursts.
    static func send(_ sessions: [RoomSession], count: Int, tag: String) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, session) in sessions.enumerated() {
                group.addTask {
                    for n in 0..<count {
                        try await session.send("\(tag) \(index) \(n)")
                        if n % 4 == 3 { try await Task.sleep(for: .milliseconds(30)) }
                    }
                    try await session.outbox.flush()
                }
            }
            try await group.waitForAll()
        }
    }

    @Test func twoIdentitiesGetEveryMessageOnceWithFewListings() async throws {
        let world = try await NotifyWorld()
        defer { world.remove() }
        let alice = try await world.member("alice", seed: 1, joining: nil)
        let bob = try await world.member("bob", seed: 2, joining: alice)
        // Five minutes: however slowly the suite lets this run, no timed listing falls inside it.
        let settings = Self.settings(listingEvery: .seconds(300))
        let readers = [await NotifiedReader(world: world, roomID: alice.roomID, name: "alice", settings: settings),
                       await NotifiedReader(world: world, roomID: alice.roomID, name: "bob", settings: settings)]
        for reader in readers { try await reader.waitUntilActive() }
        // The listing each room makes when notifications start.
        for reader in readers { #expect(try await eventually(seconds: 10) { await reader.counter.lists >= 1 }) }
        let listsBefore = await readers.asyncMap { await $0.counter.lists }
        let started = ContinuousClock.now

        try await Self.send([alice, bob], count: 100, tag: "hello")
        let expected = Set((0..<2).flatMap { i in (0..<100).map { "hello \(i) \($0)" } })
        for reader in readers {
            let all = try await eventually(seconds: 30) { Set(await reader.counts().keys).isSuperset(of: expected) }
            let got = await reader.counts().count
            #expect(all, "\(reader.subscriber) got \(got) of 200")
        }
        let elapsed = ContinuousClock.now - started
        for (index, reader) in readers.enumerated() {
            let counts = await reader.counts()
            #expect(counts.filter { expected.contains($0.key) }.allSatisfy { $0.value == 1 }, "every message once")
            let problems = await reader.log.problems
            #expect(problems.isEmpty, "\(problems)")
            let lists = await reader.counter.lists - listsBefore[index]
            // Polling at 250 ms would have listed several times a second all along.
            #expect(lists <= 3, "\(reader.subscriber) listed \(lists) times in \(elapsed)")
            #expect(await reader.sync.hintedObjects > 0)
            let follower = try #require(reader.follower)
            #expect(await follower.hintedKeys > 0)
            #expect(reader.lines.warnings.isEmpty, "\(reader.lines.warnings)")
        }
        for reader in readers { await reader.stop() }
        for session in [alice, bob] { await session.stopUploading() }
    }

    @Test func aReaderBehindItsQueueCatchesUpByListing() async throws {
        let world = try await NotifyWorld()
        defer { world.remove() }
        let alice = try await world.member("alice", seed: 1, joining: nil)
        let settings = Self.settings(listingEvery: .seconds(300))
        // The reader's queue is made and subscribed, then the reader goes away.
        let first = await NotifiedReader(world: world, roomID: alice.roomID, name: "bob", settings: settings)
        try await first.waitUntilActive()
        await first.stop()
        try await Self.send([alice], count: 15, tag: "queued")
        try await Task.sleep(for: .milliseconds(1500))
        // Back, it receives messages that waited over a second: behind its queue, the room lists to catch up.
        let reader = await NotifiedReader(world: world, roomID: alice.roomID, name: "bob", settings: settings, behindAfter: .seconds(1))
        try await reader.waitUntilActive()
        let expected = Set((0..<15).map { "queued 0 \($0)" })
        #expect(try await eventually(seconds: 30) { Set(await reader.counts().keys).isSuperset(of: expected) })
        let follower = try #require(reader.follower)
        #expect(try await eventually(seconds: 10) { await follower.batchesBehind >= 1 }, "SQS's SentTimestamp says how long they waited")
        #expect(await reader.counts().filter { expected.contains($0.key) }.allSatisfy { $0.value == 1 }, "every message once")
        #expect(await reader.log.problems.isEmpty)
        await reader.stop()
        await alice.stopUploading()
    }

    @Test func droppedNotificationsAreMadeUpForWithinTheSafetyInterval() async throws {
        let world = try await NotifyWorld()
        defer { world.remove() }
        let alice = try await world.member("alice", seed: 1, joining: nil)
        let interval = Duration.seconds(2)
        let reader = await NotifiedReader(world: world, roomID: alice.roomID, name: "bob", settings: Self.settings(listingEvery: interval))
        try await reader.waitUntilActive()
        try await Self.send([alice], count: 5, tag: "before")
        #expect(try await eventually(seconds: 20) { await reader.counts().count == 5 })

        // The subscription goes, and what the queue held with it.
        let queue = try await world.queueURL(subscriber: reader.subscriber)
        let topics = try await world.adminSNS.query("ListTopics", version: "2010-03-31", [], what: "test: topics")
        let topic = try #require(AWSServiceClient.elements("TopicArn", in: topics.body).first { $0.contains(world.bucket) })
        let subscriptions = try await world.adminSNS.query("ListSubscriptionsByTopic", version: "2010-03-31",
                                                           [(name: "TopicArn", value: topic)], what: "test: subscriptions")
        let arns = AWSServiceClient.elements("SubscriptionArn", in: subscriptions.body)
        #expect(!arns.isEmpty)
        for arn in arns {
            let removed = try await world.adminSNS.query("Unsubscribe", version: "2010-03-31", [(name: "SubscriptionArn", value: arn)], what: "test: unsubscribe")
            #expect(removed.status == 200, "\(removed.bodySnippet)")
        }
        let purged = try await world.adminSQS.json("AmazonSQS.PurgeQueue", ["QueueUrl": queue], what: "test: purge")
        #expect(purged.status == 200, "\(purged.bodySnippet)")
        let hintedBefore = await reader.sync.hintedObjects

        let sentAt = ContinuousClock.now
        try await Self.send([alice], count: 20, tag: "after")
        let flushed = ContinuousClock.now
        let expected = Set((0..<20).map { "after 0 \($0)" })
        let all = try await eventually(seconds: 20) { Set(await reader.counts().keys).isSuperset(of: expected) }
        let arrived = ContinuousClock.now
        let got = await reader.counts().count - 5
        #expect(all, "got \(got) of 20 after the notices stopped")
        // Within the safety interval of the last upload, plus a listing's time and
        // slack for a suite that starves the reader's tasks now and then (on its
        // own this takes under 2.5 s; the default interval is 60 s).
        #expect(arrived - flushed <= interval + .seconds(8), "the last arrived \(arrived - flushed) after the upload")
        #expect(await reader.sync.hintedObjects == hintedBefore, "no notice came: the listing found them")
        #expect(await reader.counts().values.allSatisfy { $0 == 1 })
        #expect(arrived - sentAt < .seconds(20))
        await reader.stop()
        await alice.stopUploading()
    }

    @Test func duplicatedAndUnusableNotificationsDeliverNothingTwice() async throws {
        let world = try await NotifyWorld()
        defer { world.remove() }
        let alice = try await world.member("alice", seed: 1, joining: nil)
        let reader = await NotifiedReader(world: world, roomID: alice.roomID, name: "bob", settings: Self.settings(listingEvery: .seconds(60)))
        try await reader.waitUntilActive()
        try await Self.send([alice], count: 30, tag: "once")
        #expect(try await eventually(seconds: 20) { await reader.counts().count == 30 })
        let hinted = await reader.sync.hintedObjects
        let follower = try #require(reader.follower)
        let messagesBefore = await follower.messages
        let listsBefore = await reader.counter.lists

        // Every object's notice again, twice, as S3 would word it, and one that means nothing.
        let queue = try await world.queueURL(subscriber: reader.subscriber)
        let objects = try await world.store().list(prefix: "rooms/\(alice.roomID)/")
        var sent = 0
        for info in objects {
            let key = NotifyWorld.prefix + info.key
            let encoded = key.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_.~/")))!
            let body = #"{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"\#(world.bucket)"},"object":{"key":"\#(encoded)","size":\#(info.size),"eTag":\#(info.etag.trimmingCharacters(in: CharacterSet(charactersIn: "\"")).debugDescription)}}}]}"#
            for _ in 0..<2 {
                let response = try await world.adminSQS.json("AmazonSQS.SendMessage", ["QueueUrl": queue, "MessageBody": body], what: "test: send")
                #expect(response.status == 200, "\(response.bodySnippet)")
                sent += 1
            }
        }
        _ = try await world.adminSQS.json("AmazonSQS.SendMessage", ["QueueUrl": queue, "MessageBody": "not a notification"], what: "test: send")
        sent += 1
        #expect(try await eventually(seconds: 20) { await follower.messages >= messagesBefore + sent })
        #expect(try await eventually(seconds: 10) { await reader.counter.lists > listsBefore }, "the unusable notice made the room list")
        try await Task.sleep(for: .milliseconds(500))
        #expect(await reader.counts().count == 30)
        #expect(await reader.counts().values.allSatisfy { $0 == 1 }, "duplicates deliver nothing")
        #expect(await reader.sync.hintedObjects == hinted, "nothing fetched again")
        #expect(await follower.unusable == 1)
        await reader.stop()
        await alice.stopUploading()
    }

    @Test func permissionDeniedPollsWithOneWarning() async throws {
        let world = try await NotifyWorld()
        defer { world.remove() }
        let alice = try await world.member("alice", seed: 1, joining: nil)
        let reader = await NotifiedReader(world: world, roomID: alice.roomID, name: "carol", settings: Self.settings(listingEvery: .seconds(60)),
                                          credentials: NotifyWorld.poller)
        let follower = try #require(reader.follower)
        #expect(try await eventually(seconds: 20) { if case .polling = await follower.state { return true } else { return false } })
        #expect(reader.lines.warnings.count == 1, "\(reader.lines.all)")
        #expect(reader.lines.warnings.first?.contains("denied") == true, "\(reader.lines.warnings)")
        #expect(await !reader.sync.notificationsAreActive)
        try await Self.send([alice], count: 10, tag: "polled")
        #expect(try await eventually(seconds: 20) { await reader.counts().count == 10 })
        #expect(await reader.sync.hintedObjects == 0, "delivered by polling")
        #expect(reader.lines.warnings.count == 1)
        await reader.stop()
        await alice.stopUploading()
    }

    @Test func aBucketWithoutNotificationsPollsWithOneWarning() async throws {
        let world = try await NotifyWorld(enable: false)
        defer { world.remove() }
        let alice = try await world.member("alice", seed: 1, joining: nil)
        let reader = await NotifiedReader(world: world, roomID: alice.roomID, name: "bob", settings: Self.settings(listingEvery: .seconds(60)))
        let follower = try #require(reader.follower)
        #expect(try await eventually(seconds: 20) { if case .polling = await follower.state { return true } else { return false } })
        #expect(reader.lines.warnings.count == 1)
        #expect(reader.lines.warnings.first?.contains("enable-notifications") == true, "\(reader.lines.warnings)")
        try await Self.send([alice], count: 5, tag: "polled")
        #expect(try await eventually(seconds: 20) { await reader.counts().count == 5 })
        await reader.stop()
        await alice.stopUploading()
    }

    @Test func aRoomHostFollowsNotifications() async throws {
        let world = try await NotifyWorld()
        defer { world.remove() }
        let alice = try await world.member("alice", seed: 1, joining: nil)
        // Invited, not joined: the host's discovery finds the room and opens it.
        let bobKey = try SigningKey(seed: [UInt8](repeating: 2, count: 32))
        try await alice.invite("user:bob", key: bobKey.publicKey)
        try await alice.outbox.flush()
        let counter = RequestCounter(world.store())
        let lines = LogLines()
        let events = HostEvents()
        let host = RoomHost(configuration: RoomHostConfiguration(
            identity: DeviceIdentity(senderID: "user:bob", clientID: "bob_d1", key: bobKey),
            store: counter, stateFolder: world.root + "/bob", syncSettings: Self.settings(listingEvery: .seconds(300)),
            discoveryInterval: .seconds(300), log: { lines.add($0) }))
        await host.start(background: true) { events.record($0) }
        let follower = try #require(await host.follower)
        #expect(try await eventually(seconds: 20) { await follower.state == .active }, "\(lines.all)")
        #expect(try await eventually(seconds: 20) { await host.roomIDs.contains(alice.roomID) }, "\(lines.all)")
        let room = try #require(await host.session(alice.roomID))
        #expect(try await eventually(seconds: 20) { await room.sync.notificationsAreActive })
        try await Task.sleep(for: .milliseconds(500))
        let listsBefore = await counter.lists
        try await Self.send([alice], count: 20, tag: "hosted")
        let expected = Set((0..<20).map { "hosted 0 \($0)" })
        try await events.wait("bob's host shows all 20", seconds: 20) { Set($0.bodies(alice.roomID)).isSuperset(of: expected) }
        let hostLists = await counter.lists - listsBefore
        #expect(hostLists <= 2, "the host's room listed \(hostLists) times")
        #expect(await follower.hintedKeys > 0)
        #expect(lines.warnings.isEmpty, "\(lines.warnings)")
        await host.stop(flushTimeout: .seconds(2))
        await alice.stopUploading()
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for element in self { out.append(try await transform(element)) }
        return out
    }
}
