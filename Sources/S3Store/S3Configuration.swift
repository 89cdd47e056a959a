import CloudHTTP
import Foundation
import ObjectStore

/// Everything an `S3Store` needs to reach one bucket.
public struct S3Configuration: Sendable {
    public var bucket: String
    /// Empty or ending in `/`; keys are stored under it.
    public var prefix: String
    public var region: String
    /// `scheme://host[:port]` of a custom endpoint, or nil for AWS itself.
    public var endpoint: String?
    /// Bucket in the path (`endpoint/bucket/key`) instead of the host name.
    /// Custom endpoints default to path style, AWS to virtual-hosted.
    public var pathStyle: Bool
    public var credentials: AWSCredentials
    /// Where SNS and SQS calls for notifications go (`scheme://host[:port]`).
    public var snsEndpoint: String
    public var sqsEndpoint: String
    /// When set, every created object gets this retention.
    public var objectLock: S3ObjectLock?
    public var client: HTTPClient
    /// Keys per ListObjectsV2 page (S3 caps it at 1,000).
    public var pageSize: Int
    /// Files of at least this many bytes go up as a multipart upload; smaller
    /// ones as one conditional PUT read into memory (so this bounds that memory too).
    public var multipartThreshold: Int64
    /// Bytes per part of a multipart upload: at least 5 MiB (S3's minimum for
    /// every part but the last), and grown so a file needs at most 10,000 parts.
    public var partSize: Int64
    /// Parts sent at once. Parts stream from the file (none is held in
    /// memory), so this costs connections, not memory.
    public var partsInFlight: Int

    /// S3's smallest part (all but the last), and its most parts per upload.
    public static let minimumPartSize: Int64 = 5 << 20
    public static let maximumPartCount: Int64 = 10_000

    public init(bucket: String, prefix: String = "", settings: AWSSettings, pathStyle: Bool? = nil,
                objectLock: S3ObjectLock? = nil, client: HTTPClient = HTTPClient(), pageSize: Int = 1000,
                multipartThreshold: Int64 = 16 << 20, partSize: Int64 = 8 << 20, partsInFlight: Int = 4) {
        self.bucket = bucket
        self.prefix = prefix
        self.region = settings.region
        self.endpoint = settings.endpoint.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        // Dotted bucket names break virtual-hosted TLS certificates.
        self.pathStyle = pathStyle ?? (settings.endpoint != nil || bucket.contains("."))
        self.credentials = settings.credentials
        let custom = settings.endpoint.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        self.snsEndpoint = settings.snsEndpoint ?? custom ?? AWSServiceClient.awsEndpoint(service: "sns", region: settings.region)
        self.sqsEndpoint = settings.sqsEndpoint ?? custom ?? AWSServiceClient.awsEndpoint(service: "sqs", region: settings.region)
        self.objectLock = objectLock
        self.client = client
        self.pageSize = max(1, min(pageSize, 1000))
        self.partSize = max(partSize, Self.minimumPartSize)
        // A file below one part goes in a single PUT whatever the threshold says.
        self.multipartThreshold = max(multipartThreshold, self.partSize + 1)
        self.partsInFlight = max(1, partsInFlight)
    }

    /// The part size for a file of `size` bytes: the configured one, grown
    /// (in whole MiB) when the file would otherwise need more than 10,000 parts.
    func partSize(forFileOf size: Int64) -> Int64 {
        let needed = (size + Self.maximumPartCount - 1) / Self.maximumPartCount
        guard needed > partSize else { return partSize }
        let mebibyte: Int64 = 1 << 20
        return (needed + mebibyte - 1) / mebibyte * mebibyte
    }

    /// The scheme and authority requests go to.
    var origin: String {
        if let endpoint {
            if pathStyle { return endpoint }
            // Virtual-hosted on a custom endpoint: the bucket joins the host.
            guard let schemeEnd = endpoint.range(of: "://") else { return endpoint }
            return endpoint[..<schemeEnd.upperBound] + bucket + "." + endpoint[schemeEnd.upperBound...]
        }
        let host = region == "us-east-1" ? "s3.amazonaws.com" : "s3.\(region).amazonaws.com"
        return pathStyle ? "https://\(host)" : "https://\(bucket).\(host)"
    }

    /// The unencoded path of an object (or of the bucket, for nil).
    func path(forKey key: String?) -> String {
        let base = pathStyle ? "/\(bucket)" : ""
        guard let key else { return base.isEmpty ? "/" : base }
        return base + "/" + key
    }

    /// The Host header value, as curl will send it.
    var hostHeader: String {
        let components = URLComponents(string: origin)
        let host = components?.host ?? origin
        return components?.port.map { "\(host):\($0)" } ?? host
    }
}
