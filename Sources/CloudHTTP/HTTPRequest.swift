import Foundation

/// One HTTP request as the cloud stores build it.
public struct HTTPRequest: Sendable {
    public var method: String
    /// The full URL, already percent-encoded exactly as it is to be sent
    /// (signatures cover this exact text).
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: Data
    /// When set, a 2xx answer's body streams here and the response's `body`
    /// stays empty; the transfer then has no total time limit (only the stall
    /// limit), since a large object takes as long as it takes. A failure after
    /// bytes went to the receiver is not retried: they cannot be taken back.
    public var bodyReceiver: (any HTTPBodyReceiver)?
    /// When set, the body is this stretch of a file, read by curl as it goes
    /// out (so it is never held in memory), and `body` is ignored. Each try
    /// reads it from its start again.
    public var bodyRegion: FileRegion?

    public init(method: String, url: String, headers: [(name: String, value: String)] = [], body: Data = Data(),
                bodyReceiver: (any HTTPBodyReceiver)? = nil, bodyRegion: FileRegion? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.bodyReceiver = bodyReceiver
        self.bodyRegion = bodyRegion
    }
}
