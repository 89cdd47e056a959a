/// When the uploader turns journaled events into a log object, and how it
/// retries (PROTOCOL.md §9).
public struct UploadPolicy: Sendable {
    /// How uploads are spaced.
    public enum Schedule: Sendable, Equatable {
        /// §9's default: a batch goes out `linger` after its first event when
        /// the device was idle, and no sooner than `minInterval` after the
        /// previous upload started under sustained traffic.
        case adaptive(linger: Duration, minInterval: Duration)
        /// The specification's fixed cadence: a batch goes out `interval` after
        /// its first event, whatever else happens.
        case fixed(interval: Duration)
    }

    public var schedule: Schedule
    /// Most events per log object.
    public var maxEvents: Int
    /// Most bytes per log object.
    public var maxBytes: Int
    /// Whether a full batch (``maxEvents`` or ``maxBytes``) goes out at once
    /// instead of waiting for its slot: without this a backlog of more than
    /// `maxEvents` per interval could never drain.
    public var sendFullBatchesAtOnce: Bool
    /// First retry delay; each failure doubles it, up to ``retryCap``.
    public var retryBase: Duration
    /// Longest retry delay: a store that is down for hours is tried this often.
    public var retryCap: Duration

    public init(schedule: Schedule = .adaptive(linger: .milliseconds(50), minInterval: .seconds(1)),
                maxEvents: Int = 500, maxBytes: Int = 1 << 20, sendFullBatchesAtOnce: Bool = true,
                retryBase: Duration = .milliseconds(200), retryCap: Duration = .seconds(30)) {
        self.schedule = schedule
        self.maxEvents = max(1, min(maxEvents, 10_000))
        self.maxBytes = max(Outbox.maxLineBytes, min(maxBytes, 16 << 20))
        self.sendFullBatchesAtOnce = sendFullBatchesAtOnce
        self.retryBase = retryBase
        self.retryCap = retryCap
    }

    /// §9's default: within 200 ms after idle (50 ms linger to gather a burst),
    /// at most one file per second under load, 500 events or 1 MiB per file.
    public static let standard = UploadPolicy()

    /// A fixed interval, as the specification suggests (5–10 s).
    public static func fixed(_ interval: Duration) -> UploadPolicy {
        UploadPolicy(schedule: .fixed(interval: interval))
    }

    /// When a batch whose first event became durable at `firstEvent` is due,
    /// given when the previous upload started.
    func due(firstEvent: ContinuousClock.Instant, lastStart: ContinuousClock.Instant?) -> ContinuousClock.Instant {
        switch schedule {
        case .adaptive(let linger, let minInterval):
            let gathered = firstEvent + linger
            guard let lastStart else { return gathered }
            return max(gathered, lastStart + minInterval)
        case .fixed(let interval):
            return firstEvent + interval
        }
    }

    /// The delay before retry number `attempt` (1-based): full jitter over an
    /// exponentially growing window, so many devices do not retry in step.
    func retryDelay(attempt: Int) -> Duration {
        let exponent = min(max(attempt - 1, 0), 30)
        let window = min(retryBase * (1 << exponent), retryCap)
        let ms = window / .milliseconds(1)
        guard ms > 0 else { return .zero }
        return .milliseconds(Double.random(in: 0...ms))
    }
}
