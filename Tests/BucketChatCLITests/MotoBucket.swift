import CloudHTTP
import Foundation
import S3Store

/// A fresh bucket on the test moto server, made with the admin's keys, and
/// the environment that gives a `bucketchat` process the writer's keys
/// (whose policy in scripts/test-servers.sh grants no delete).
struct MotoBucket {
    let name: String
    let writerEnvironment: [String: String]

    static func make(_ prefix: String) async throws -> MotoBucket {
        let env = ProcessInfo.processInfo.environment
        guard let endpoint = env["BUCKETCHAT_TEST_S3_ENDPOINT"] else {
            throw MotoBucketUnavailable()
        }
        let name = prefix + UUID().uuidString.prefix(8).lowercased()
        let admin = AWSSettings(credentials: AWSCredentials(accessKeyId: env["BUCKETCHAT_TEST_S3_ADMIN_KEY"] ?? "",
                                                            secretAccessKey: env["BUCKETCHAT_TEST_S3_ADMIN_SECRET"] ?? ""),
                                region: "us-east-1", endpoint: endpoint)
        try await S3Store(S3Configuration(bucket: name, prefix: "", settings: admin)).createBucket()
        return MotoBucket(name: name, writerEnvironment: [
            "AWS_ACCESS_KEY_ID": env["BUCKETCHAT_TEST_S3_KEY"] ?? "", "AWS_SECRET_ACCESS_KEY": env["BUCKETCHAT_TEST_S3_SECRET"] ?? "",
            "AWS_ENDPOINT_URL_S3": endpoint, "AWS_REGION": "us-east-1",
        ])
    }
}

/// Thrown when the tests run without the servers scripts/test.sh starts.
struct MotoBucketUnavailable: Error, CustomStringConvertible {
    var description: String { "BUCKETCHAT_TEST_S3_ENDPOINT is not set: run scripts/test.sh, which starts moto_server" }
}
