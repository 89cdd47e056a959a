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

    public init(bucket: String, prefix: String = "", endpoint: String = "https://storage.googleapis.com",
                credentials: GCSCredentials, client: HTTPClient = HTTPClient(), pageSize: Int = 1000) {
        self.bucket = bucket
        self.prefix = prefix
        self.endpoint = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
        self.credentials = credentials
        self.client = client
        self.pageSize = max(1, min(pageSize, 1000))
    }

    /// Reads `STORAGE_EMULATOR_HOST` (as Google's libraries do: a host:port
    /// or a URL) and the credentials from the environment.
    public static func fromEnvironment(bucket: String, prefix: String = "",
                                       environment: [String: String] = ProcessInfo.processInfo.environment) throws(StoreError) -> GCSConfiguration {
        var endpoint = "https://storage.googleapis.com"
        if let emulator = environment["STORAGE_EMULATOR_HOST"], !emulator.isEmpty {
            endpoint = emulator.contains("://") ? emulator : "http://" + emulator
        }
        return GCSConfiguration(bucket: bucket, prefix: prefix, endpoint: endpoint,
                                credentials: try GCSCredentials.resolve(environment: environment, bucket: bucket))
    }
}
