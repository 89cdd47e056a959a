import Foundation

/// A complete HTTP response.
public struct HTTPResponse: Sendable {
    public let status: Int
    /// Header names are lowercased.
    public let headers: [(name: String, value: String)]
    public let body: Data
    /// How many tries it took (1 when the first one answered).
    public var attempts: Int

    public init(status: Int, headers: [(name: String, value: String)], body: Data, attempts: Int = 1) {
        self.status = status
        self.headers = headers
        self.body = body
        self.attempts = attempts
    }

    /// The first value of a header, by case-insensitive name.
    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name == lower }?.value
    }

    /// The body as text, cut short, for error messages.
    public var bodySnippet: String {
        String(decoding: body.prefix(600), as: UTF8.self)
    }
}
