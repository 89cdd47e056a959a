import CloudHTTP
import Foundation
import GCSStore
import ObjectStore
import Testing

/// The resumable upload's recovery, against a scripted server: fake-gcs-server
/// cannot show it, since it finalises the object when asked for a session's
/// status (checked by hand: `PUT bytes */SIZE` answers 200 and stores what it
/// had). These check what the store sends and how it reads GCS's answers.
@Suite struct GCSResumableTests {
    static let chunk = Int(GCSConfiguration.chunkGranularity)

    static func store(_ server: ScriptedServer) -> GCSStore {
        GCSStore(GCSConfiguration(bucket: "chat", prefix: "p/", endpoint: server.endpoint, credentials: .none,
                                  client: HTTPClient(retry: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(10), maxDelay: .milliseconds(20))),
                                  resumableThreshold: 1, chunkSize: GCSConfiguration.chunkGranularity))
    }

    @Test func anInterruptedChunkGoesOnFromWhatTheSessionPersisted() async throws {
        let size = 3 * Self.chunk
        let (path, _) = try TestServers.randomFile(size: size)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let server = try ScriptedServer([
            .init(status: 404, body: "{}"),                                                  // the name is free
            .init(status: 200, headers: ["Location": "{origin}/upload/session-1"]),         // session opened
            .init(status: 308, headers: ["Range": "bytes=0-\(Self.chunk - 1)"]),            // chunk 1 stored
            .init(status: 503),                                                              // chunk 2 cut off
            .init(status: 308, headers: ["Range": "bytes=0-\(Self.chunk * 3 / 2 - 1)"]),    // status: half of it kept
            .init(status: 308, headers: ["Range": "bytes=0-\(Self.chunk * 5 / 2 - 1)"]),    // the rest of 2, half of 3
            .init(status: 404, body: "{}"),                                                  // still free before the last
            .init(status: 200, body: #"{"name":"p/f","size":"\#(size)"}"#),                  // finalised
        ])
        let progress = ProgressLog()
        #expect(try await Self.store(server).putFileIfAbsent(try ObjectKey("f"), path: path, progress: { progress.record($0) }) == .created)
        let requests = try server.requests()
        #expect(requests.map(\.method) == ["GET", "POST", "PUT", "PUT", "PUT", "PUT", "GET", "PUT"])
        #expect(requests[1].path.contains("uploadType=resumable"))
        #expect(requests[1].path.contains("ifGenerationMatch=0"))
        #expect(requests[1].headers["x-upload-content-length"] == String(size))
        #expect(requests.compactMap { $0.headers["content-range"] } == [
            "bytes 0-\(Self.chunk - 1)/\(size)",
            "bytes \(Self.chunk)-\(2 * Self.chunk - 1)/\(size)",
            "bytes */\(size)",
            "bytes \(Self.chunk * 3 / 2)-\(Self.chunk * 5 / 2 - 1)/\(size)",
            "bytes \(Self.chunk * 5 / 2)-\(size - 1)/\(size)",
        ])
        #expect(requests.allSatisfy { $0.method != "PUT" || $0.path == "/upload/session-1" })
        #expect(progress.values.last == Int64(size))
    }

    /// Against fake-gcs-server through the fault proxy: a download cut off
    /// halfway goes on with a Range request from the byte the sink reached.
    @Test(.enabled(if: TestServers.gcsEndpoint != nil, TestServers.gcsMissing))
    func aDownloadCutOffMidwayResumesWhereItStopped() async throws {
        let proxy = try await S3FaultProxy(upstream: try #require(TestServers.gcsEndpoint))
        let store = TestServers.gcsStore(bucket: TestServers.uniqueBucket("gcscut"), prefix: "p/", endpoint: proxy.endpoint,
                                         retry: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(10), maxDelay: .milliseconds(20)))
        try await store.createBucket(project: "bucketchat-test")
        let (path, bytes) = try TestServers.randomFile(size: 3 << 20)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let key = try ObjectKey("attachments/cut-download")
        #expect(try await store.putIfAbsent(key, bytes) == .created)
        try await proxy.rule(method: "GET", path: "cut-download?alt=media", fault: "truncate", count: 2)
        let sink = CollectingSink()
        #expect(try await store.download(key, into: sink, maxBytes: Int64(bytes.count)) == Int64(bytes.count))
        #expect(Digest.sha256(sink.bytes) == Digest.sha256(bytes))
        #expect(try await proxy.injected("truncate") == 2, "both transfers were cut off")
    }

    @Test func aNameTakenAtFinalisingIsAlreadyExists() async throws {
        let size = Self.chunk + 10
        let (path, _) = try TestServers.randomFile(size: size)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let server = try ScriptedServer([
            .init(status: 404, body: "{}"),
            .init(status: 200, headers: ["Location": "{origin}/upload/session-2"]),
            .init(status: 308, headers: ["Range": "bytes=0-\(Self.chunk - 1)"]),
            .init(status: 404, body: "{}"),
            .init(status: 412, body: #"{"error":{"code":412,"message":"conditionNotMet"}}"#),
            .init(status: 200, body: #"{"size":"\#(size)","etag":"e"}"#),                   // what the name holds
        ])
        #expect(try await Self.store(server).putFileIfAbsent(try ObjectKey("f"), path: path, progress: nil) == .alreadyExists(sameBytes: true))
    }

    @Test func aFinalisedSizeThatDiffersIsAnError() async throws {
        let size = Self.chunk + 10
        let (path, _) = try TestServers.randomFile(size: size)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let server = try ScriptedServer([
            .init(status: 404, body: "{}"),
            .init(status: 200, headers: ["Location": "{origin}/upload/session-3"]),
            .init(status: 200, body: #"{"name":"p/f","size":"\#(Self.chunk)"}"#),
        ])
        do {
            _ = try await Self.store(server).putFileIfAbsent(try ObjectKey("f"), path: path, progress: nil)
            Issue.record("an upload finalised short counted as created")
        } catch {
            #expect(error.code == .badResponse)
            #expect(error.message.contains("\"f\""))
        }
    }
}
