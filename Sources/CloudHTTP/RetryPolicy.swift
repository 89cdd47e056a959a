import Foundation

/// How often and how patiently a request is retried: exponential backoff with
/// full jitter, on 5xx, 429, timeouts and connection errors only.
public struct RetryPolicy: Sendable {
    /// Total tries, the first included.
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration

    public init(maxAttempts: Int = 5, baseDelay: Duration = .milliseconds(200), maxDelay: Duration = .seconds(5)) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    public static let standard = RetryPolicy()

    /// The pause before try number `attempt + 1` (attempt counts from 1):
    /// uniformly random up to `min(maxDelay, baseDelay * 2^(attempt-1))`, so
    /// many clients retrying at once spread out.
    public func delay(afterAttempt attempt: Int) -> Duration {
        let ceiling = min(maxDelay, baseDelay * (1 << min(attempt - 1, 20)))
        let seconds = Double(ceiling.components.seconds) + Double(ceiling.components.attoseconds) / 1e18
        return .nanoseconds(Int64(Double.random(in: 0...seconds) * 1e9))
    }

    /// Whether an HTTP status is worth another try.
    public static func isRetryable(status: Int) -> Bool {
        status == 429 || (500...599).contains(status)
    }
}
