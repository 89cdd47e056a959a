import CloudHTTP
import Foundation
import ObjectStore

extension GCSStore {
    /// Creates the store's bucket in `project`.
    public func createBucket(project: String) async throws(StoreError) {
        let what = "creating bucket \"\(configuration.bucket)\""
        let body = (try? JSONSerialization.data(withJSONObject: ["name": configuration.bucket])) ?? Data()
        let request = HTTPRequest(method: "POST", url: "\(configuration.endpoint)/storage/v1/b?project=\(PercentEncoding.encode(project))",
                                  headers: [(name: "Content-Type", value: "application/json")], body: body)
        let response = try await send(request, what: what)
        guard response.status == 200 else {
            if response.status == 409 {
                throw StoreError(.preconditionFailed, "The bucket \"\(configuration.bucket)\" already exists.", cause: HTTPStatus(response))
            }
            throw failure(response, what: what, key: nil)
        }
    }
}
