import Foundation

/// One HTTP request as the cloud stores build it.
public struct HTTPRequest: Sendable {
    public var method: String
    /// The full URL, already percent-encoded exactly as it is to be sent
    /// (signatures cover this exact text).
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: Data

    public init(method: String, url: String, headers: [(name: String, value: String)] = [], body: Data = Data()) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}
