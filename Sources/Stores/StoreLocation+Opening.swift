import Foundation
import GCSStore
import ObjectStore
import S3Store

extension StoreLocation {
    /// Opens the store this location names, finding credentials, region and
    /// endpoints in `environment` the way each cloud's own tools do.
    /// `s3Endpoint` overrides `AWS_ENDPOINT_URL_S3`/`AWS_ENDPOINT_URL`.
    public func open(environment: [String: String] = ProcessInfo.processInfo.environment,
                     s3Endpoint: String? = nil, s3ObjectLock: S3ObjectLock? = nil) throws(StoreError) -> any ObjectStore {
        switch self {
        case .folder(let path):
            return LocalFolderStore(root: path)
        case .s3(let bucket, let prefix):
            let settings = try AWSSettings.resolve(environment: environment, endpoint: s3Endpoint, bucket: bucket)
            return S3Store(S3Configuration(bucket: bucket, prefix: prefix, settings: settings, objectLock: s3ObjectLock))
        case .gcs(let bucket, let prefix):
            return GCSStore(try GCSConfiguration.fromEnvironment(bucket: bucket, prefix: prefix, environment: environment))
        }
    }
}
