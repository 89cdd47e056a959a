import Foundation
import ObjectStore

/// Credentials, region and endpoint, found the way AWS tools find them.
public struct AWSSettings: Sendable {
    public var credentials: AWSCredentials
    public var region: String
    /// A custom endpoint (MinIO, Ceph, R2, a test server), or nil for AWS.
    public var endpoint: String?
    /// Custom SNS and SQS endpoints for notifications; nil: the S3 endpoint
    /// when that is custom (moto and LocalStack serve every service on one
    /// port), else AWS's own.
    public var snsEndpoint: String?
    public var sqsEndpoint: String?

    public init(credentials: AWSCredentials, region: String, endpoint: String?, snsEndpoint: String? = nil, sqsEndpoint: String? = nil) {
        self.credentials = credentials
        self.region = region
        self.endpoint = endpoint
        self.snsEndpoint = snsEndpoint
        self.sqsEndpoint = sqsEndpoint
    }

    /// Looks up, in order: `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`
    /// (+ `AWS_SESSION_TOKEN`); then the profile `AWS_PROFILE` (or
    /// `default`) in `AWS_SHARED_CREDENTIALS_FILE` (`~/.aws/credentials`) and
    /// `AWS_CONFIG_FILE` (`~/.aws/config`). Region from `AWS_REGION`,
    /// `AWS_DEFAULT_REGION`, the profile, else us-east-1. Endpoint from
    /// `endpoint`, `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL`, the profile's
    /// `endpoint_url`; SNS's and SQS's from `AWS_ENDPOINT_URL_SNS` and
    /// `AWS_ENDPOINT_URL_SQS`, then the general ones.
    public static func resolve(environment: [String: String] = ProcessInfo.processInfo.environment,
                               endpoint: String? = nil, bucket: String) throws(StoreError) -> AWSSettings {
        func env(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        let home = env("HOME") ?? NSHomeDirectory()
        let profileName = env("AWS_PROFILE") ?? "default"
        let credentialsPath = env("AWS_SHARED_CREDENTIALS_FILE") ?? home + "/.aws/credentials"
        let configPath = env("AWS_CONFIG_FILE") ?? home + "/.aws/config"
        let credentialsFile = (try? String(contentsOfFile: credentialsPath, encoding: .utf8)).map(AWSProfileFile.init(text:))
        let configFile = (try? String(contentsOfFile: configPath, encoding: .utf8)).map(AWSProfileFile.init(text:))
        let fromCredentials = credentialsFile?.credentialsProfile(profileName) ?? [:]
        let fromConfig = configFile?.configProfile(profileName) ?? [:]
        func setting(_ key: String) -> String? { fromCredentials[key] ?? fromConfig[key] }

        let credentials: AWSCredentials
        if env("AWS_PROFILE") == nil, let id = env("AWS_ACCESS_KEY_ID"), let secret = env("AWS_SECRET_ACCESS_KEY") {
            credentials = AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: env("AWS_SESSION_TOKEN"))
        } else if let id = setting("aws_access_key_id"), let secret = setting("aws_secret_access_key") {
            credentials = AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: setting("aws_session_token"))
        } else if let id = env("AWS_ACCESS_KEY_ID"), let secret = env("AWS_SECRET_ACCESS_KEY") {
            credentials = AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: env("AWS_SESSION_TOKEN"))
        } else {
            throw StoreError(.missingCredentials, "No AWS credentials found for s3://\(bucket). Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or add profile \"\(profileName)\" to \(credentialsPath) (select another with AWS_PROFILE).")
        }
        let region = env("AWS_REGION") ?? env("AWS_DEFAULT_REGION") ?? setting("region") ?? "us-east-1"
        let endpoint = endpoint ?? env("AWS_ENDPOINT_URL_S3") ?? env("AWS_ENDPOINT_URL") ?? setting("endpoint_url")
        let general = env("AWS_ENDPOINT_URL") ?? setting("endpoint_url")
        return AWSSettings(credentials: credentials, region: region, endpoint: endpoint,
                           snsEndpoint: env("AWS_ENDPOINT_URL_SNS") ?? general, sqsEndpoint: env("AWS_ENDPOINT_URL_SQS") ?? general)
    }
}
