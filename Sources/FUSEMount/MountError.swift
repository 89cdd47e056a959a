/// Why a mount could not start or ended badly; the message says what to do.
public struct MountError: Error, Sendable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
