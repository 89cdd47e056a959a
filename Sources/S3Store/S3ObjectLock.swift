import Foundation

/// Object Lock retention applied to every object a store creates, so not even
/// the bucket owner can delete or overwrite it until the date passes.
public struct S3ObjectLock: Sendable, Hashable {
    public enum Mode: String, Sendable {
        /// Nobody, root included, can shorten or remove the retention.
        case compliance = "COMPLIANCE"
        /// Users with s3:BypassGovernanceRetention can.
        case governance = "GOVERNANCE"
    }

    public var mode: Mode
    public var retentionDays: Int

    public init(mode: Mode = .compliance, retentionDays: Int) {
        self.mode = mode
        self.retentionDays = retentionDays
    }

    /// The headers for one PUT made at `now`.
    func headers(now: Date) -> [(name: String, value: String)] {
        let until = now.addingTimeInterval(TimeInterval(retentionDays) * 86_400)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return [
            (name: "x-amz-object-lock-mode", value: mode.rawValue),
            (name: "x-amz-object-lock-retain-until-date", value: formatter.string(from: until)),
        ]
    }
}
