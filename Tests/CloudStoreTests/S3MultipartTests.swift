import CloudHTTP
import Foundation
import ObjectStore
@testable import S3Store
import Testing

/// Multipart uploads against moto with the writer's no-delete policy
/// enforced: resuming what a cut-off try left, leaving no parts behind, and
/// the conditional completion that keeps them write-once.
@Suite(.enabled(if: TestServers.s3Endpoint != nil, TestServers.s3Missing))
struct S3MultipartTests {
    static let quickRetry = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(20), maxDelay: .milliseconds(100))
    /// Three parts of 5 MiB, the last short.
    static let fileSize = Int(2 * TestServers.s3PartSize) + 4_321

    /// Every upload the bucket holds open, whatever its key (ListMultipartUploads).
    static func openUploads(_ store: S3Store) async throws -> Int {
        let response = try await store.send(method: "GET", key: nil, query: [(name: "uploads", value: "")], what: "listing uploads")
        #expect(response.status == 200, "\(response.bodySnippet)")
        return S3MultipartMarkup.blocks("Upload", in: String(decoding: response.body, as: UTF8.self)[...]).count
    }

    @Test func resumesTheUploadATryLeftAndAbortsStaleOnes() async throws {
        let store = try await TestServers.freshS3FileStore()
        let (path, bytes) = try TestServers.randomFile(size: Self.fileSize)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let key = try ObjectKey("rooms/r/attachments/resumed")
        // An older upload nobody finished, then the one a cut-off try left
        // with its first part sent (S3 dates uploads to the second).
        let stale = try await store.createUpload(key)
        try await Task.sleep(for: .milliseconds(1100))
        let left = try await store.createUpload(key)
        _ = try await store.uploadPart(key, uploadID: left, number: 1,
                                       region: TestServers.region(bytes.prefix(Int(TestServers.s3PartSize)), key: key))
        #expect(try await Self.openUploads(store) == 2)

        let progress = ProgressLog()
        #expect(try await store.putFileIfAbsent(key, path: path, progress: { progress.record($0) }) == .created)
        // The part already there was counted first and not sent again.
        #expect(progress.values.first == TestServers.s3PartSize, "\(progress.values)")
        #expect(progress.values.last == Int64(Self.fileSize))
        #expect(try await store.get(key) == bytes)
        #expect(try await Self.openUploads(store) == 0, "the stale upload \(stale) and the resumed one are gone")
    }

    @Test func aPartFromAnotherFileIsSentAgainNotStitchedIn() async throws {
        let store = try await TestServers.freshS3FileStore()
        let (path, bytes) = try TestServers.randomFile(size: Self.fileSize)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let key = try ObjectKey("rooms/r/attachments/other-bytes")
        let left = try await store.createUpload(key)
        // Right size, wrong bytes: a different file's first part.
        _ = try await store.uploadPart(key, uploadID: left, number: 1,
                                       region: TestServers.region(Data(repeating: 0x55, count: Int(TestServers.s3PartSize)), key: key))
        let progress = ProgressLog()
        #expect(try await store.putFileIfAbsent(key, path: path, progress: { progress.record($0) }) == .created)
        #expect(progress.values.first.map { $0 < TestServers.s3PartSize } == true, "nothing counted as already sent: \(progress.values)")
        #expect(try await store.get(key) == bytes)
        #expect(try await Self.openUploads(store) == 0)
    }

    @Test func outageMidUploadThenRetryCompletesWithNoPartsLeft() async throws {
        let upstream = try #require(TestServers.s3Endpoint)
        let proxy = try await S3FaultProxy(upstream: upstream)
        let store = try await TestServers.freshS3FileStore(retry: Self.quickRetry, endpoint: proxy.endpoint)
        let (path, bytes) = try TestServers.randomFile(size: Self.fileSize)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let key = try ObjectKey("rooms/r/attachments/through-an-outage")

        // The server becomes unreachable for the second part, every try.
        try await proxy.cut(method: "PUT", path: "partNumber=2")
        do {
            _ = try await store.putFileIfAbsent(key, path: path, progress: nil)
            Issue.record("an upload succeeded while a part could not reach the server")
        } catch {
            #expect(error.code == .unreachable, "\(error)")
            #expect(error.message.contains("part 2"))
        }
        #expect(try await store.head(key) == nil)
        // The parts that made it are kept for the retry, not aborted.
        #expect(try await Self.openUploads(store) == 1)

        try await proxy.heal()
        let progress = ProgressLog()
        #expect(try await store.putFileIfAbsent(key, path: path, progress: { progress.record($0) }) == .created)
        #expect(progress.values.first.map { $0 >= TestServers.s3PartSize } == true, "resumed, not restarted: \(progress.values)")
        let sink = CollectingSink()
        #expect(try await store.download(key, into: sink, maxBytes: Int64(Self.fileSize)) == Int64(Self.fileSize))
        #expect(Digest.sha256(sink.bytes) == Digest.sha256(bytes))
        #expect(try await Self.openUploads(store) == 0)
    }

    /// Parts stream from the file as they are sent: a part refused with a
    /// 500, or whose connection is reset once its body went out, is read
    /// from the file again on the retry, and the object holds the file's bytes.
    @Test func aRefusedOrCutOffPartIsStreamedAgainFromTheFile() async throws {
        let upstream = try #require(TestServers.s3Endpoint)
        let proxy = try await S3FaultProxy(upstream: upstream)
        let store = try await TestServers.freshS3FileStore(retry: Self.quickRetry, endpoint: proxy.endpoint)
        let (path, bytes) = try TestServers.randomFile(size: Self.fileSize)
        defer { try? FileManager.default.removeItem(atPath: path) }
        for (fault, name) in [("error_500", "refused"), ("lost_response", "answer-lost")] {
            let key = try ObjectKey("rooms/r/attachments/\(name)")
            try await proxy.rule(method: "PUT", path: "partNumber=2", fault: fault, count: 1)
            #expect(try await store.putFileIfAbsent(key, path: path, progress: nil) == .created)
            #expect(try await proxy.injected(fault) == 1, "the \(fault) was injected")
            let sink = CollectingSink()
            #expect(try await store.download(key, into: sink, maxBytes: Int64(Self.fileSize)) == Int64(Self.fileSize))
            #expect(Digest.sha256(sink.bytes) == Digest.sha256(bytes), "after a \(fault)")
        }
        #expect(try await Self.openUploads(store) == 0)
    }

    /// A download cut off halfway (the proxy forwards half the body, then
    /// closes) goes on with a Range request from the byte the sink reached:
    /// the sink sees every byte once, in order.
    @Test func aDownloadCutOffMidwayResumesWhereItStopped() async throws {
        let upstream = try #require(TestServers.s3Endpoint)
        let proxy = try await S3FaultProxy(upstream: upstream)
        let store = try await TestServers.freshS3FileStore(retry: Self.quickRetry, endpoint: proxy.endpoint)
        let (path, bytes) = try TestServers.randomFile(size: 3 << 20)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let key = try ObjectKey("rooms/r/attachments/cut-download")
        #expect(try await store.putFileIfAbsent(key, path: path, progress: nil) == .created)
        try await proxy.rule(method: "GET", path: "cut-download", fault: "truncate", count: 2)
        let sink = CollectingSink()
        #expect(try await store.download(key, into: sink, maxBytes: Int64(bytes.count)) == Int64(bytes.count))
        #expect(sink.bytes.count == bytes.count)
        #expect(Digest.sha256(sink.bytes) == Digest.sha256(bytes))
        #expect(try await proxy.injected("truncate") == 2, "both transfers were cut off")
    }

    /// moto (like AWS) honours `If-None-Match: *` on CompleteMultipartUpload:
    /// an upload finished after someone else created the key answers 412.
    @Test func completionNeverReplacesAnObjectCreatedMeanwhile() async throws {
        let store = try await TestServers.freshS3FileStore()
        let key = try ObjectKey("rooms/r/attachments/raced")
        let id = try await store.createUpload(key)
        let part = try await store.uploadPart(key, uploadID: id, number: 1, region: TestServers.region(Data(repeating: 7, count: 1000), key: key))
        #expect(try await store.putIfAbsent(key, Data("first".utf8)) == .created)
        let completion = try await store.completeUpload(key, uploadID: id, parts: [part])
        guard case .keyTaken = completion else {
            Issue.record("completion over an existing object answered \(completion)")
            return
        }
        #expect(try await store.get(key) == Data("first".utf8))
        try await store.abortUpload(key, uploadID: id)
        #expect(try await Self.openUploads(store) == 0)
    }

    @Test func aTakenKeyAbortsUploadsLeftForIt() async throws {
        let store = try await TestServers.freshS3FileStore()
        let (path, _) = try TestServers.randomFile(size: Self.fileSize)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let key = try ObjectKey("rooms/r/attachments/won-elsewhere")
        _ = try await store.createUpload(key)
        #expect(try await store.putIfAbsent(key, Data("won".utf8)) == .created)
        #expect(try await store.putFileIfAbsent(key, path: path, progress: nil) == .alreadyExists(sameBytes: false))
        #expect(try await Self.openUploads(store) == 0)
        #expect(try await store.get(key) == Data("won".utf8))
    }

    @Test func partSizeGrowsToStayWithinTenThousandParts() {
        let configuration = TestServers.s3Store(bucket: "b").configuration
        #expect(configuration.partSize(forFileOf: 1 << 30) == 8 << 20)
        let huge: Int64 = 200 << 30
        let size = configuration.partSize(forFileOf: huge)
        #expect((huge + size - 1) / size <= S3Configuration.maximumPartCount)
        #expect(size % (1 << 20) == 0)
    }
}
