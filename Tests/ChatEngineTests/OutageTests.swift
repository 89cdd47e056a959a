@testable import ChatEngine
import ChatProtocol
import CloudHTTP
import Foundation
import ObjectStore
import S3Store
import Testing

/// A real S3 server (moto) stopped while messages are sent and started again
/// later: everything arrives. Uses a moto_server of its own so the shared one
/// that scripts/test-servers.sh started stays up for the other suites.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["BUCKETCHAT_TEST_MOTO_SERVER"] != nil,
                "BUCKETCHAT_TEST_MOTO_SERVER is not set: run scripts/test.sh, which starts the test servers"))
struct OutageTests {
    static func freePort() throws -> Int {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return try #require(Int(text.trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    static func startMoto(port: Int) async throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(ProcessInfo.processInfo.environment["BUCKETCHAT_TEST_MOTO_SERVER"]))
        process.arguments = ["-H", "127.0.0.1", "-p", "\(port)"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let client = HTTPClient(retry: RetryPolicy(maxAttempts: 1))
        for _ in 0..<200 {
            if case .success = await client.sendOnce(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)/moto-api/")) { return process }
            try await Task.sleep(for: .milliseconds(100))
        }
        process.terminate()
        throw EngineError(.storeUnavailable, "moto_server did not answer on port \(port)")
    }

    static func stop(_ process: Process) {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    @Test func storeDownWhileSendingThenBack() async throws {
        let fixture = try EngineFixture()
        defer { fixture.remove() }
        let port = try Self.freePort()
        var moto = try await Self.startMoto(port: port)
        defer { Self.stop(moto) }
        let settings = AWSSettings(credentials: AWSCredentials(accessKeyId: "testing", secretAccessKey: "testing"),
                                   region: "us-east-1", endpoint: "http://127.0.0.1:\(port)")
        // No retries inside the HTTP client: the uploader's own backoff is under test.
        let store = S3Store(S3Configuration(bucket: "outage", prefix: "team/", settings: settings,
                                            client: HTTPClient(retry: RetryPolicy(maxAttempts: 1))))
        try await store.createBucket()
        let join = try await fixture.createRoom(in: store)
        let outbox = try fixture.outbox()
        let uploader = Task {
            await Uploader(outbox: outbox, store: store, policy: UploadPolicy(retryBase: .milliseconds(50), retryCap: .milliseconds(500))).run()
        }
        defer { uploader.cancel() }
        _ = try await outbox.send(type: "m.room.member", content: join)
        for i in 0..<10 { _ = try await outbox.send(type: "m.room.message", content: EngineFixture.message("before \(i)")) }
        try await outbox.flush()
        let before = try await storedObjects(store, roomID: fixture.roomID)

        Self.stop(moto)
        for i in 0..<20 {
            _ = try await outbox.send(type: "m.room.message", content: EngineFixture.message("during \(i)"))
            try await Task.sleep(for: .milliseconds(60))
        }
        #expect(try await eventually(seconds: 5) { await outbox.status.lastError != nil }, "the outage shows in the status")
        let status = await outbox.status
        #expect(status.pendingEvents == 20)
        #expect(status.refusal == nil, "an unreachable store is not a refusal: flush keeps waiting")

        // Back up, empty as moto always starts: the operator re-creates the bucket.
        // Until then the uploader may meet "no such bucket", a refusal that makes
        // flush throw at once; it clears with the next successful upload.
        moto = try await Self.startMoto(port: port)
        try await store.createBucket()
        _ = try await fixture.createRoom(in: store)
        var flushed = false
        for _ in 0..<120 where !flushed {
            do {
                try await outbox.flush()
                flushed = true
            } catch {
                try await Task.sleep(for: .milliseconds(500))
            }
        }
        #expect(flushed, "everything is uploaded within a minute of the store's return")

        let after = try await storedObjects(store, roomID: fixture.roomID)
        let objects = before + after.filter { a in !before.contains { $0.key == a.key } }
        let counts = try eventIDCounts(objects.filter { LogObjectName(key: $0.key) != nil }.map { ($0.key, $0.bytes) })
        #expect(counts.count == 31)
        #expect(counts.values.allSatisfy { $0 == 1 })
        let verification = RoomVerifier().verify(roomID: fixture.roomID, objects: objects)
        #expect(verification.accepted.count == 31)
        #expect(verification.rejected.isEmpty)
        #expect(verification.alarms.isEmpty, "\(verification.alarms)")
        #expect(await outbox.status.lastError == nil)
    }
}
