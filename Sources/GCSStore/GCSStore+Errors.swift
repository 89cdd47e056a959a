import CloudHTTP
import Foundation
import ObjectStore

extension GCSStore {
    /// Turns an unexpected GCS answer into a `StoreError` that names the key
    /// or bucket and says what to do.
    func failure(_ response: HTTPResponse, what: String, key: ObjectKey?) -> StoreError {
        let bucket = configuration.bucket
        let cause = HTTPStatus(response)
        switch response.status {
        case 404 where isMissingBucket(response) || key == nil:
            return StoreError(.noSuchBucket, "The bucket \"\(bucket)\" does not exist at \(configuration.endpoint) (while \(what)). Create it, or check the bucket name.", cause: cause)
        case 404:
            return StoreError(.notFound, "No object \"\(key?.rawValue ?? "")\" in \(locationDescription).", cause: cause)
        case 401:
            return StoreError(.accessDenied, "GCS rejected the credentials while \(what). Check GOOGLE_APPLICATION_CREDENTIALS or refresh GOOGLE_OAUTH_ACCESS_TOKEN.", cause: cause)
        case 403:
            return StoreError(.accessDenied, "Access denied while \(what). The account needs storage.objects.get, .create and .list on bucket \"\(bucket)\".", cause: cause)
        case 412:
            return StoreError(.preconditionFailed, "A precondition failed while \(what).", cause: cause)
        case 429, 500...599:
            return StoreError(.serverError, "GCS kept failing while \(what) (HTTP \(response.status) after \(response.attempts) tries). Try again later.", cause: cause)
        default:
            return StoreError(.badResponse, "Unexpected HTTP \(response.status) while \(what).", cause: cause)
        }
    }

    /// GCS says which thing is missing in the error message.
    func isMissingBucket(_ response: HTTPResponse) -> Bool {
        let text = String(decoding: response.body.prefix(2000), as: UTF8.self).lowercased()
        return text.contains("bucket") && (text.contains("not found") || text.contains("does not exist")) && !text.contains("object")
    }
}
