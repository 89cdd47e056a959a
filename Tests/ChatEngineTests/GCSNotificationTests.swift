import ChatEngine
import ChatProtocol
import CloudHTTP
import Foundation
import GCSStore
import ObjectStore
import Testing

/// GCS notifications end to end on emulators: a fake-gcs-server of the test's
/// own publishes OBJECT_FINALIZE (JSON payload) to the Pub/Sub emulator that
/// scripts/test-servers.sh started (the flags `-event.pubsub-project-id`,
/// `-event.pubsub-topic`, `-event.object-prefix`, with PUBSUB_EMULATOR_HOST),
/// and a reader pulls its own subscription over Pub/Sub's REST API.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["BUCKETCHAT_TEST_PUBSUB_HOST"] != nil
                                 && ProcessInfo.processInfo.environment["BUCKETCHAT_TEST_FAKE_GCS_SERVER"] != nil,
                             "BUCKETCHAT_TEST_PUBSUB_HOST is not set: scripts/test-servers.sh starts the Pub/Sub emulator when google-cloud-cli-pubsub-emulator is installed"))
struct GCSNotificationTests {
    static let project = "bucketchat-test"
    static var environment: [String: String] { ProcessInfo.processInfo.environment }
    static var pubsub: String { "http://" + (environment["BUCKETCHAT_TEST_PUBSUB_HOST"] ?? "") }

    static func freePort() throws -> Int {
        let socket = Process()
        let pipe = Pipe()
        socket.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        socket.arguments = ["python3", "-c", "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])"]
        socket.standardOutput = pipe
        try socket.run()
        socket.waitUntilExit()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return try #require(Int(text.trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    static func store(endpoint: String, bucket: String) -> GCSStore {
        var configuration = GCSConfiguration(bucket: bucket, prefix: "team/", endpoint: endpoint, credentials: .none,
                                             client: HTTPClient(retry: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(20), maxDelay: .milliseconds(200))))
        configuration.pubsubEndpoint = pubsub
        configuration.pubsubProject = project
        return GCSStore(configuration)
    }

    /// Creates a topic in the emulator.
    static func createTopic(_ path: String) async throws {
        let response = try await HTTPClient().send(HTTPRequest(method: "PUT", url: pubsub + "/v1/" + path), what: "test: topic")
        #expect(response.status == 200 || response.status == 409, "\(response.bodySnippet)")
    }

    @Test func aReaderFollowsPubSubNotificationsFromFakeGCSServer() async throws {
        let bucket = "bc-gcsnotify-" + UUID().uuidString.prefix(8).lowercased()
        let port = try Self.freePort()
        let endpoint = "http://127.0.0.1:\(port)"
        let notifications = GCSNotifications(store: Self.store(endpoint: endpoint, bucket: bucket), project: Self.project)
        try await Self.createTopic(notifications.topicPath)
        let server = Process()
        server.executableURL = URL(fileURLWithPath: Self.environment["BUCKETCHAT_TEST_FAKE_GCS_SERVER"] ?? "")
        server.arguments = ["-scheme", "http", "-host", "127.0.0.1", "-port", String(port), "-backend", "memory",
                            "-public-host", "127.0.0.1:\(port)", "-external-url", endpoint, "-log-level", "warn",
                            "-event.pubsub-project-id", Self.project, "-event.pubsub-topic", notifications.topicName,
                            "-event.bucket", bucket, "-event.object-prefix", notifications.keyPrefix, "-event.list", "finalize"]
        server.environment = Self.environment.merging(["PUBSUB_EMULATOR_HOST": Self.environment["BUCKETCHAT_TEST_PUBSUB_HOST"] ?? ""]) { $1 }
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { kill(server.processIdentifier, SIGKILL) }
        let client = HTTPClient(retry: RetryPolicy(maxAttempts: 1))
        #expect(try await eventually(seconds: 20) {
            if case .success = await client.sendOnce(HTTPRequest(method: "GET", url: endpoint + "/storage/v1/b")) { return true } else { return false }
        })
        let writerStore = Self.store(endpoint: endpoint, bucket: bucket)
        try await writerStore.createBucket(project: Self.project)

        let root = NSTemporaryDirectory() + "bucketchat-gcsnotify-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let identity = DeviceIdentity(senderID: "user:alice", clientID: "alice_d1", key: try SigningKey(seed: [UInt8](repeating: 1, count: 32)))
        let alice = try await RoomSession.create(name: "GCS", identity: identity, store: writerStore, stateFolder: root + "/alice",
                                                 policy: UploadPolicy(schedule: .adaptive(linger: .milliseconds(20), minInterval: .milliseconds(30)),
                                                                      retryBase: .milliseconds(20), retryCap: .milliseconds(300)))
        await alice.startUploading()
        try await alice.outbox.flush()

        var settings = SyncSettings()
        settings.notifiedListingInterval = .seconds(300)
        let counter = RequestCounter(Self.store(endpoint: endpoint, bucket: bucket))
        let sync = RoomSync(store: counter, roomID: alice.roomID, settings: settings)
        let lines = LogLines()
        // Catching up is off (behindAfter two minutes): on the suite's two cores messages
        // often wait seconds in the subscription, and this test counts the listings of the rest.
        let follower = NotificationFollower(notifications: try #require(counter.notifications), subscriber: "user:bob/bob_reader",
                                            behindAfter: .seconds(120), log: { lines.add($0) })
        await follower.add(sync)
        await follower.start()
        let log = UpdateLog()
        let following = Task { await sync.run(deliver: { await log.add($0) }, failed: { await log.fail($0) }) }
        defer { following.cancel() }
        #expect(try await eventually(seconds: 20) { await follower.state == .active }, "\(lines.all)")
        #expect(try await eventually(seconds: 10) { await counter.lists >= 1 })
        try await Task.sleep(for: .milliseconds(300))
        let listsBefore = await counter.lists

        for n in 0..<30 {
            _ = try await alice.send("gcs \(n)")
            if n % 5 == 4 { try await Task.sleep(for: .milliseconds(50)) }
        }
        try await alice.outbox.flush()
        let expected = Set((0..<30).map { "gcs \($0)" })
        let all = try await eventually(seconds: 30) { Set(await log.messageBodies()).isSuperset(of: expected) }
        #expect(all)
        let bodies = await log.messageBodies()
        #expect(bodies.count == Set(bodies).count, "every message once")
        #expect(await counter.lists - listsBefore <= 1, "delivered through notices, not listings")
        #expect(await sync.hintedObjects > 0)
        #expect(await follower.hintedKeys > 0)
        #expect(lines.warnings.isEmpty, "\(lines.warnings)")
        await follower.stop()
        await alice.stopUploading()
    }

    @Test func aMissingTopicPollsWithOneWarning() async throws {
        let endpoint = try #require(Self.environment["BUCKETCHAT_TEST_GCS_ENDPOINT"])
        let store = Self.store(endpoint: endpoint, bucket: "bc-gcsnotopic-" + UUID().uuidString.prefix(8).lowercased())
        let notifications = try #require(store.notifications)
        let lines = LogLines()
        let follower = NotificationFollower(notifications: notifications, subscriber: "user:bob/bob_reader", log: { lines.add($0) })
        await follower.start()
        #expect(try await eventually(seconds: 20) { if case .polling = await follower.state { return true } else { return false } })
        #expect(lines.warnings.count == 1)
        #expect(lines.warnings.first?.contains("gcloud storage buckets notifications create") == true, "\(lines.warnings)")
    }
}
