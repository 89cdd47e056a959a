import Foundation

/// The one error type of the storage layer: what went wrong, with which key or
/// bucket, and what the user can do about it.
public struct StoreError: Error, Sendable, CustomStringConvertible, LocalizedError {
    /// What kind of failure this is, for callers that react differently to each.
    public enum Code: String, Sendable {
        case invalidKey
        case invalidLocation
        case notFound
        case missingCredentials
        case noSuchBucket
        case accessDenied
        case preconditionFailed
        /// An object holds more bytes than the reader allowed.
        case tooLarge
        case unreachable
        case serverError
        case badResponse
        case io
    }

    public let code: Code
    /// A sentence naming the key or bucket and saying what to do.
    public let message: String
    /// The underlying error, when there is one (an errno, a curl code, an HTTP body).
    public let cause: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String {
        guard let cause else { return message }
        return "\(message) (cause: \(cause))"
    }

    public var errorDescription: String? { description }
}
