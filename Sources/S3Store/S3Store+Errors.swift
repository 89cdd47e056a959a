import CloudHTTP
import Foundation
import ObjectStore

extension S3Store {
    /// Turns an unexpected S3 answer into a `StoreError` that names the key or
    /// bucket and says what to do.
    func failure(_ response: HTTPResponse, what: String, key: ObjectKey?) -> StoreError {
        let error = S3ErrorBody(response.body)
        let bucket = configuration.bucket
        let cause = HTTPStatus(response)
        switch (response.status, error.code) {
        case (404, "NoSuchBucket"):
            return StoreError(.noSuchBucket, "The bucket \"\(bucket)\" does not exist at \(configuration.origin) (while \(what)). Create it, or check the bucket name, region and endpoint.", cause: cause)
        case (404, _):
            return StoreError(.notFound, "No object \"\(key?.rawValue ?? "")\" in \(locationDescription).", cause: cause)
        case (403, "RequestTimeTooSkewed"):
            // SigV4 signs the request's time; S3 refuses it when that is over 15 minutes off its own.
            let times = error.serverTime.map { " (the server's time is \($0); this computer's is \(ISO8601DateFormatter().string(from: Date())))" } ?? ""
            return StoreError(.accessDenied, "The S3 server refused the request because this computer's clock is too far from its own\(times) while \(what). Set the system clock right (enable NTP), then try again.", cause: cause)
        case (403, "SignatureDoesNotMatch"), (403, "InvalidAccessKeyId"), (403, "InvalidClientTokenId"),
             (403, "ExpiredToken"), (400, "ExpiredToken"), (403, "InvalidToken"), (400, "InvalidToken"):
            return StoreError(.accessDenied, "The S3 server rejected the credentials (\(error.code)) while \(what). Check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN or the AWS_PROFILE in use.", cause: cause)
        case (403, _):
            return StoreError(.accessDenied, "Access denied while \(what). The credentials' policy must allow s3:GetObject, s3:PutObject and s3:ListBucket on bucket \"\(bucket)\".", cause: cause)
        case (301, _), (400, "AuthorizationHeaderMalformed"), (400, "IllegalLocationConstraintException"):
            let region = response.header("x-amz-bucket-region").map { " (it is in \($0))" } ?? ""
            return StoreError(.badResponse, "The bucket \"\(bucket)\" is not in region \(configuration.region)\(region). Set AWS_REGION to the bucket's region.", cause: cause)
        case (412, _):
            return StoreError(.preconditionFailed, "A precondition failed while \(what).", cause: cause)
        case (500...599, _), (429, _):
            return StoreError(.serverError, "The S3 server kept failing while \(what) (HTTP \(response.status) after \(response.attempts) tries). Try again later.", cause: cause)
        default:
            return StoreError(.badResponse, "Unexpected HTTP \(response.status) \(error.code) while \(what). \(error.message)", cause: cause)
        }
    }
}
