/// The one error type of the protocol layer.
///
/// Carries a machine-readable ``Code``, a message a user can act on, and the
/// underlying cause when there is one.
public struct ProtocolError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, in a form callers can switch on.
    public enum Code: String, Sendable {
        case malformedJSON = "malformed_json"
        case nonCanonical = "non_canonical"
        case schema
        case badKey = "bad_key"
        case keyFilePermissions = "key_file_permissions"
        case io
        case crypto
    }

    public let code: Code
    public let message: String
    public let cause: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String {
        if let cause { return "\(message) (\(cause))" }
        return message
    }
}
