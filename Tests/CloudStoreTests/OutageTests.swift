import CloudHTTP
import Foundation
import GCSStore
import ObjectStore
import S3Store
import Testing

/// A server that goes away: bounded retries and a clear `.unreachable`, then
/// recovery once it is back. Each test runs its own short-lived server on
/// another port so the shared ones stay up.
@Suite struct OutageTests {
    static let quickRetry = RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(50), maxDelay: .milliseconds(400))

    static func start(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    static func stop(_ process: Process) {
        // SIGKILL: a child may inherit a blocked SIGTERM from the test
        // runner (moto then never exits), and an abrupt stop is the point.
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    static func expectUnreachable(_ body: () async throws(StoreError) -> Void, endpoint: String) async {
        do {
            try await body()
            Issue.record("an operation succeeded against a stopped server")
        } catch {
            #expect(error.code == .unreachable)
            #expect(error.message.contains(endpoint))
            #expect(error.message.contains("4 tries"))
            #expect(error.message.contains("Check the endpoint"))
        }
    }

    // Bounded by the retry policy's four tries, not hanging: the time limit
    // catches a hang without asserting a duration the shared cores may stretch.
    @Test(.enabled(if: TestServers.motoServer != nil, TestServers.s3Missing), .timeLimit(.minutes(2)))
    func s3ServerStoppedThenRestarted() async throws {
        let port = try TestServers.freePort()
        let endpoint = "http://127.0.0.1:\(port)"
        let arguments = ["-H", "127.0.0.1", "-p", String(port)]
        var server = try Self.start(TestServers.motoServer ?? "", arguments)
        defer { Self.stop(server) }
        try await TestServers.waitUntilAnswering(endpoint + "/moto-api/")
        let bucket = TestServers.uniqueBucket("outage")
        let anyKey = AWSCredentials(accessKeyId: "testing", secretAccessKey: "testing")
        let store = TestServers.s3Store(bucket: bucket, credentials: anyKey, endpoint: endpoint, retry: Self.quickRetry)
        try await store.createBucket()
        let key = try ObjectKey("rooms/r/metadata.json")
        #expect(try await store.putIfAbsent(key, Data("before".utf8)) == .created)

        Self.stop(server)
        await Self.expectUnreachable({ () throws(StoreError) in _ = try await store.get(key) }, endpoint: "127.0.0.1:\(port)")
        await Self.expectUnreachable({ () throws(StoreError) in _ = try await store.putIfAbsent(key, Data("during".utf8)) }, endpoint: "127.0.0.1:\(port)")

        // moto keeps objects in memory: a restarted one is empty but serving.
        server = try Self.start(TestServers.motoServer ?? "", arguments)
        try await TestServers.waitUntilAnswering(endpoint + "/moto-api/")
        try await store.createBucket()
        #expect(try await store.putIfAbsent(key, Data("after".utf8)) == .created)
        #expect(try await store.get(key) == Data("after".utf8))
    }

    @Test(.enabled(if: TestServers.fakeGCSServer != nil, TestServers.gcsMissing), .timeLimit(.minutes(2)))
    func gcsServerStoppedThenRestarted() async throws {
        let port = try TestServers.freePort()
        let endpoint = "http://127.0.0.1:\(port)"
        let data = NSTemporaryDirectory() + "bucketchat-fakegcs-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: data) }
        let arguments = ["-scheme", "http", "-host", "127.0.0.1", "-port", String(port), "-backend", "filesystem",
                         "-filesystem-root", data, "-public-host", "127.0.0.1:\(port)", "-log-level", "error"]
        var server = try Self.start(TestServers.fakeGCSServer ?? "", arguments)
        defer { Self.stop(server) }
        try await TestServers.waitUntilAnswering(endpoint + "/storage/v1/b")
        let store = TestServers.gcsStore(bucket: TestServers.uniqueBucket("outage"), endpoint: endpoint, retry: Self.quickRetry)
        try await store.createBucket(project: "bucketchat-test")
        let key = try ObjectKey("rooms/r/metadata.json")
        #expect(try await store.putIfAbsent(key, Data("before".utf8)) == .created)

        Self.stop(server)
        await Self.expectUnreachable({ () throws(StoreError) in _ = try await store.list(prefix: "") }, endpoint: "127.0.0.1:\(port)")
        await Self.expectUnreachable({ () throws(StoreError) in _ = try await store.putIfAbsent(key, Data("during".utf8)) }, endpoint: "127.0.0.1:\(port)")

        // Its filesystem backend keeps the data: the restarted server still
        // has the object, and the write-once rule still holds.
        server = try Self.start(TestServers.fakeGCSServer ?? "", arguments)
        try await TestServers.waitUntilAnswering(endpoint + "/storage/v1/b")
        #expect(try await store.get(key) == Data("before".utf8))
        #expect(try await store.putIfAbsent(key, Data("after".utf8)) == .alreadyExists(sameBytes: false))
    }
}
