import CloudHTTP
import Foundation
import ObjectStore

extension S3Store {
    /// Creates the store's bucket. With `objectLock`, the bucket is created
    /// with Object Lock enabled and that default retention, so every object
    /// in it is undeletable for that long whoever writes it.
    public func createBucket(objectLock: S3ObjectLock? = nil) async throws(StoreError) {
        let bucket = configuration.bucket
        let what = "creating bucket \"\(bucket)\""
        var body = Data()
        if configuration.region != "us-east-1" {
            body = Data("<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>\(configuration.region)</LocationConstraint></CreateBucketConfiguration>".utf8)
        }
        var headers: [(name: String, value: String)] = []
        if objectLock != nil { headers.append((name: "x-amz-bucket-object-lock-enabled", value: "true")) }
        let created = try await send(method: "PUT", key: nil, headers: headers, body: body, what: what)
        guard created.status == 200 else {
            if S3ErrorBody(created.body).code == "BucketAlreadyOwnedByYou" {
                throw StoreError(.preconditionFailed, "The bucket \"\(bucket)\" already exists and is yours; nothing to create.", cause: HTTPStatus(created))
            }
            throw failure(created, what: what, key: nil)
        }
        guard let objectLock else { return }

        let rule = Data("""
            <ObjectLockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><ObjectLockEnabled>Enabled</ObjectLockEnabled>\
            <Rule><DefaultRetention><Mode>\(objectLock.mode.rawValue)</Mode><Days>\(objectLock.retentionDays)</Days></DefaultRetention></Rule>\
            </ObjectLockConfiguration>
            """.utf8)
        let lockWhat = "setting the default Object Lock retention of bucket \"\(bucket)\""
        let configured = try await send(method: "PUT", key: nil, query: [(name: "object-lock", value: "")],
                                        headers: [(name: "Content-MD5", value: Digest.md5(rule).base64EncodedString()),
                                                  (name: "Content-Type", value: "application/xml")],
                                        body: rule, what: lockWhat)
        guard configured.status == 200 else { throw failure(configured, what: lockWhat, key: nil) }
    }
}
