import CloudHTTP
import Foundation
import GCSStore
import ObjectStore
import S3Store
import Testing

/// The servers scripts/test-servers.sh started, as its env file describes
/// them. Suites that need one are disabled, with the reason, when absent.
enum TestServers {
    static var environment: [String: String] { ProcessInfo.processInfo.environment }
    static var s3Endpoint: String? { environment["BUCKETCHAT_TEST_S3_ENDPOINT"] }
    static var gcsEndpoint: String? { environment["BUCKETCHAT_TEST_GCS_ENDPOINT"] }
    static var motoServer: String? { environment["BUCKETCHAT_TEST_MOTO_SERVER"] }
    static var fakeGCSServer: String? { environment["BUCKETCHAT_TEST_FAKE_GCS_SERVER"] }

    static let s3Missing: Comment = "BUCKETCHAT_TEST_S3_ENDPOINT is not set: run scripts/test.sh, which starts moto_server"
    static let gcsMissing: Comment = "BUCKETCHAT_TEST_GCS_ENDPOINT is not set: run scripts/test.sh, which starts fake-gcs-server"

    /// The chat writer's key: get, put and list, never delete.
    static var writerCredentials: AWSCredentials {
        AWSCredentials(accessKeyId: environment["BUCKETCHAT_TEST_S3_KEY"] ?? "", secretAccessKey: environment["BUCKETCHAT_TEST_S3_SECRET"] ?? "")
    }

    /// An administrator's key, for creating buckets.
    static var adminCredentials: AWSCredentials {
        AWSCredentials(accessKeyId: environment["BUCKETCHAT_TEST_S3_ADMIN_KEY"] ?? "", secretAccessKey: environment["BUCKETCHAT_TEST_S3_ADMIN_SECRET"] ?? "")
    }

    static func uniqueBucket(_ tag: String) -> String {
        "bc-\(tag)-" + UUID().uuidString.prefix(8).lowercased()
    }

    static func s3Store(bucket: String, prefix: String = "", credentials: AWSCredentials = writerCredentials,
                        endpoint: String? = s3Endpoint, objectLock: S3ObjectLock? = nil, retry: RetryPolicy = .standard,
                        multipartThreshold: Int64 = 16 << 20, partSize: Int64 = 8 << 20) -> S3Store {
        let settings = AWSSettings(credentials: credentials, region: "us-east-1", endpoint: endpoint)
        return S3Store(S3Configuration(bucket: bucket, prefix: prefix, settings: settings, objectLock: objectLock,
                                       client: HTTPClient(retry: retry), multipartThreshold: multipartThreshold, partSize: partSize))
    }

    /// A new bucket (made with the admin key) and a writer's store on it.
    static func freshS3Store(prefix: String = "team-a/") async throws -> S3Store {
        let bucket = uniqueBucket("s3")
        try await s3Store(bucket: bucket, credentials: adminCredentials).createBucket()
        return s3Store(bucket: bucket, prefix: prefix)
    }

    static func gcsStore(bucket: String, prefix: String = "", endpoint: String? = gcsEndpoint, retry: RetryPolicy = .standard,
                         resumableThreshold: Int64 = 16 << 20, chunkSize: Int64 = 8 << 20) -> GCSStore {
        GCSStore(GCSConfiguration(bucket: bucket, prefix: prefix, endpoint: endpoint ?? "", credentials: .none, client: HTTPClient(retry: retry),
                                  resumableThreshold: resumableThreshold, chunkSize: chunkSize))
    }

    static func freshGCSStore(prefix: String = "team-a/") async throws -> GCSStore {
        let store = gcsStore(bucket: uniqueBucket("gcs"), prefix: prefix)
        try await store.createBucket(project: "bucketchat-test")
        return store
    }

    static func freshFolderStore() -> LocalFolderStore {
        LocalFolderStore(root: NSTemporaryDirectory() + "bucketchat-conformance-\(UUID().uuidString)")
    }

    /// A loopback port nobody listens on right now.
    static func freePort() throws -> Int {
        let result = try run("/usr/bin/env", ["python3", "-c", "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])"])
        guard let port = Int(result.output.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw ProcessFailure(description: "no free port: \(result.output)")
        }
        return port
    }

    /// Waits until something answers HTTP at `url`.
    static func waitUntilAnswering(_ url: String, seconds: Int = 20) async throws {
        let client = HTTPClient(retry: RetryPolicy(maxAttempts: 1))
        for _ in 0..<(seconds * 10) {
            if case .success = await client.sendOnce(HTTPRequest(method: "GET", url: url)) { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ProcessFailure(description: "nothing answered at \(url) within \(seconds) s")
    }
}
