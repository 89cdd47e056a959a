/// A multipart upload S3 holds open for a key (ListMultipartUploads): one a
/// crashed or cut-off upload left, to resume or abort.
struct S3PendingUpload: Sendable, Equatable {
    /// The full key, store prefix included.
    let key: String
    let uploadID: String
    /// ISO 8601, as S3 sends it; sorts in time order.
    let initiated: String
}
