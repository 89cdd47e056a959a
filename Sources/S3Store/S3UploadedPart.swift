/// One part S3 holds for a multipart upload, as ListParts (or our own
/// UploadPart) reports it: what CompleteMultipartUpload must name.
struct S3UploadedPart: Sendable, Equatable {
    let number: Int
    let etag: String
    let size: Int64
}
