import Foundation

/// Where a store lives, parsed from a URL users already know: a plain path or
/// `file:///path`, `s3://bucket/prefix`, `gs://bucket/prefix`.
public enum StoreLocation: Hashable, Sendable, CustomStringConvertible {
    /// A local folder, as an absolute path.
    case folder(path: String)
    /// An S3-compatible bucket; `prefix` is empty or ends in `/`.
    case s3(bucket: String, prefix: String)
    /// A Google Cloud Storage bucket; `prefix` is empty or ends in `/`.
    case gcs(bucket: String, prefix: String)

    public var description: String {
        switch self {
        case .folder(let path): return path
        case .s3(let bucket, let prefix): return "s3://\(bucket)/\(prefix)"
        case .gcs(let bucket, let prefix): return "gs://\(bucket)/\(prefix)"
        }
    }
}
