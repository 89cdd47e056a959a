/// When a private room's epoch is used up and the next encrypted event
/// starts a new one, whatever the membership (docs/private-rooms.md).
///
/// Within an epoch there is no forward secrecy: a device key stolen later
/// opens every event of the epochs sealed to it. Bounding an epoch bounds
/// what one stolen key opens beyond the member's own history.
public struct EpochPolicy: Sendable, Equatable {
    /// Encrypted events after which a writer starts a new epoch.
    public var maxEvents: Int
    /// Age after which a writer starts a new epoch, in milliseconds.
    public var maxAgeMs: Int64

    public init(maxEvents: Int = 1000, maxAgeMs: Int64 = 7 * 24 * 3_600_000) {
        self.maxEvents = maxEvents
        self.maxAgeMs = maxAgeMs
    }

    /// 1,000 events or 7 days.
    public static let standard = EpochPolicy()

    func isUsedUp(startedAtMs: Int64, events: Int, nowMs: Int64) -> Bool {
        events >= maxEvents || nowMs - startedAtMs >= maxAgeMs
    }
}
