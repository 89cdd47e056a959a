/// An HTTP answer kept as a `StoreError` cause: status, tries and body text.
public struct HTTPStatus: Error, Sendable, CustomStringConvertible {
    public let status: Int
    public let attempts: Int
    public let body: String

    public init(_ response: HTTPResponse) {
        status = response.status
        attempts = response.attempts
        body = response.bodySnippet
    }

    public var description: String {
        "HTTP \(status) after \(attempts) \(attempts == 1 ? "try" : "tries")" + (body.isEmpty ? "" : ": \(body)")
    }
}
