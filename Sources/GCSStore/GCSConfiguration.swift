import CloudHTTP
import Foundation
import ObjectStore

/// Everything a `GCSStore` needs to reach one bucket.
public struct GCSConfiguration: Sendable {
    public var bucket: String
    /// Empty or ending in `/`; keys are stored under it.
    public var prefix: String
    /// `https://storage.googleapis.com`, or an emulator's origin.
    public var endpoint: String
    public var credentials: GCSCredentials
    public var client: HTTPClient
    /// Objects per list page (GCS caps it at 1,000).
    public var pageSize: Int
    /// Files of at least this many bytes go up as a resumable upload; smaller
    /// ones in one multipart request read into memory (so this bounds that memory too).
    public var resumableThreshold: Int64
    /// Bytes per chunk of a resumable upload: GCS wants a multiple of 256 KiB
    /// for every chunk but the last, so it is rounded up to one.
    public var chunkSize: Int64
    /// Pub/Sub, for notifications: `https://pubsub.googleapis.com` or an
    /// emulator's origin (`PUBSUB_EMULATOR_HOST`), and the project whose
    /// topics and subscriptions they are (nil: notifications unavailable).
    public var pubsubEndpoint: String = "https://pubsub.googleapis.com"
    public var pubsubProject: String?

    /// The unit GCS wants resumable chunks in.
    public static let chunkGranularity: Int64 = 256 << 10

    public init(bucket: String, prefix: String = "", endpoint: String = "https://storage.googleapis.com",
                credentials: GCSCredentials, client: HTTPClient = HTTPClient(), pageSize: Int = 1000,
                resumableThreshold: Int64 = 16 << 20, chunkSize: Int64 = 8 << 20) {
        self.bucket = bucket
        self.prefix = prefix
        self.endpoint = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
        self.credentials = credentials
        self.client = client
        self.pageSize = max(1, min(pageSize, 1000))
        let units = max(1, (chunkSize + Self.chunkGranularity - 1) / Self.chunkGranularity)
        self.chunkSize = units * Self.chunkGranularity
        self.resumableThreshold = max(1, resumableThreshold)
    }

    /// Reads `STORAGE_EMULATOR_HOST` (as Google's libraries do: a host:port
    /// or a URL) and the credentials from the environment.
    public static func fromEnvironment(bucket: String, prefix: String = "",
                                       environment: [String: String] = ProcessInfo.processInfo.environment) throws(StoreError) -> GCSConfiguration {
        var endpoint = "https://storage.googleapis.com"
        if let emulator = environment["STORAGE_EMULATOR_HOST"], !emulator.isEmpty {
            endpoint = emulator.contains("://") ? emulator : "http://" + emulator
        }
        let credentials = try GCSCredentials.resolve(environment: environment, bucket: bucket)
        var configuration = GCSConfiguration(bucket: bucket, prefix: prefix, endpoint: endpoint, credentials: credentials)
        if let emulator = environment["PUBSUB_EMULATOR_HOST"], !emulator.isEmpty {
            configuration.pubsubEndpoint = emulator.contains("://") ? emulator : "http://" + emulator
        }
        var project = environment["GOOGLE_CLOUD_PROJECT"] ?? environment["CLOUDSDK_CORE_PROJECT"]
        if project?.isEmpty ?? true, case .serviceAccount(let key) = credentials { project = key.projectID }
        configuration.pubsubProject = project.flatMap { $0.isEmpty ? nil : $0 }
        return configuration
    }
}
