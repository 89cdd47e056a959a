import ChatEngine
import ChatProtocol
import CloudHTTP
import Foundation
import ObjectStore
import S3Store

/// A fresh bucket on the shared moto server (IAM enforced), a fault proxy in
/// front of it, and members' sessions that reach the bucket only through the
/// proxy, with the writer's key (get, put, list; no delete).
final class FaultWorld {
    let proxy: FaultProxy
    let bucket: String
    let endpoint: String
    let root: String
    private(set) var roomID = ""
    /// Short retries and fast polls, so a test of hundreds of faults stays short.
    let policy = UploadPolicy(schedule: .adaptive(linger: .milliseconds(20), minInterval: .milliseconds(30)),
                              retryBase: .milliseconds(20), retryCap: .milliseconds(300))
    let syncSettings: SyncSettings = {
        var settings = SyncSettings()
        settings.activeInterval = .milliseconds(50)
        settings.idleInterval = .milliseconds(200)
        return settings
    }()
    let retry = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(20), maxDelay: .milliseconds(200))

    init(seed: Int) async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let endpoint = environment["BUCKETCHAT_TEST_S3_ENDPOINT"] else {
            throw ProxyFailure(description: "BUCKETCHAT_TEST_S3_ENDPOINT is not set: run scripts/test.sh")
        }
        self.endpoint = endpoint
        bucket = "bc-faults-" + UUID().uuidString.prefix(8).lowercased()
        let admin = AWSCredentials(accessKeyId: environment["BUCKETCHAT_TEST_S3_ADMIN_KEY"] ?? "",
                                   secretAccessKey: environment["BUCKETCHAT_TEST_S3_ADMIN_SECRET"] ?? "")
        try await Self.s3Store(bucket: bucket, endpoint: endpoint, credentials: admin, retry: .standard).createBucket()
        proxy = try await FaultProxy(upstream: endpoint, seed: seed)
        root = NSTemporaryDirectory() + "bucketchat-faults-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    static func s3Store(bucket: String, endpoint: String, credentials: AWSCredentials, retry: RetryPolicy) -> S3Store {
        let settings = AWSSettings(credentials: credentials, region: "us-east-1", endpoint: endpoint)
        return S3Store(S3Configuration(bucket: bucket, prefix: "team/", settings: settings, client: HTTPClient(retry: retry)))
    }

    static var writer: AWSCredentials {
        let environment = ProcessInfo.processInfo.environment
        return AWSCredentials(accessKeyId: environment["BUCKETCHAT_TEST_S3_KEY"] ?? "",
                              secretAccessKey: environment["BUCKETCHAT_TEST_S3_SECRET"] ?? "")
    }

    /// The writer's store through the proxy.
    func store() -> S3Store {
        Self.s3Store(bucket: bucket, endpoint: proxy.endpoint, credentials: Self.writer, retry: retry)
    }

    /// The writer's store straight to moto, to read what the bucket really holds.
    var direct: S3Store {
        Self.s3Store(bucket: bucket, endpoint: endpoint, credentials: Self.writer, retry: .standard)
    }

    /// A member with its own device, uploading in the background: the room's
    /// creator when `creator` is nil, else invited by the creator and joined.
    func member(_ name: String, seed: UInt8, joining creator: RoomSession?,
                now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }) async throws -> RoomSession {
        let identity = DeviceIdentity(senderID: "user:\(name)", clientID: "\(name)_d1",
                                      key: try SigningKey(seed: [UInt8](repeating: seed, count: 32)))
        let state = root + "/" + name
        guard let creator else {
            let session = try await RoomSession.create(name: "Faults", identity: identity, store: store(), stateFolder: state,
                                                       syncSettings: syncSettings, policy: policy, now: now)
            roomID = session.roomID
            await session.startUploading()
            try await session.outbox.flush()
            return session
        }
        try await creator.invite(identity.senderID, key: identity.key.publicKey)
        try await creator.outbox.flush()
        let session = try RoomSession(roomID: creator.roomID, identity: identity, store: store(), stateFolder: state,
                                      syncSettings: syncSettings, policy: policy, now: now)
        await session.startUploading()
        await session.refresh()
        try await session.join()
        try await session.outbox.flush()
        return session
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }
}
