/// A device's event clock: timestamps strictly increase (PROTOCOL.md §2).
///
/// Each call returns `max(now, last + 1)`, so a clock stepped backwards or two
/// events in one millisecond still give a strictly increasing sequence.
public struct DeviceClock: Sendable {
    public private(set) var last: Int64

    /// A clock that continues after `last` (0 for a new device).
    public init(last: Int64 = 0) {
        self.last = last
    }

    /// The next timestamp for an event created at `now` (milliseconds since the epoch).
    public mutating func next(now: Int64) -> Int64 {
        last = max(now, last + 1)
        return last
    }
}
