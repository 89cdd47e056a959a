/// A transfer that got no HTTP response: libcurl's code and message.
public struct TransportFailure: Error, Sendable, CustomStringConvertible {
    public let curlCode: Int
    public let message: String
    /// Connection refused, reset, timed out or similar: worth a retry.
    public let isRetryable: Bool
    /// The TLS certificate could not be verified.
    public let isTLS: Bool
    /// Body bytes already handed to the request's ``HTTPBodyReceiver``; a
    /// transfer that delivered some cannot simply be tried again.
    public var bytesDelivered: Int64 = 0
    /// The request's ``HTTPBodyReceiver`` asked to stop.
    public var stoppedByReceiver = false
    /// Why the request's ``FileRegion`` body could not be read (the file
    /// shrank or the disk failed); such a failure is not the network's.
    public var bodyReadFailure: String?

    public var description: String { "curl error \(curlCode): \(message)" }
}
