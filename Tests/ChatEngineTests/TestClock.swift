import Foundation

/// A wall clock a test sets and moves (milliseconds since the epoch), for
/// devices and readers whose clocks are skewed.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var ms: Int64

    init(_ ms: Int64) { self.ms = ms }

    var now: @Sendable () -> Int64 { { [self] in lock.lock(); defer { lock.unlock() }; return ms } }

    func set(_ value: Int64) { lock.lock(); ms = value; lock.unlock() }

    /// Noon UTC tomorrow: far enough from any midnight that minutes of skew
    /// never change the date folder, and after every real timestamp so far.
    static func noonTomorrow() -> Int64 {
        let day: Int64 = 86_400_000
        return (Int64(Date().timeIntervalSince1970 * 1000) / day + 1) * day + day / 2
    }
}
