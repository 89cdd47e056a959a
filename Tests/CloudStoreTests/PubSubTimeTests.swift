import Foundation
@testable import GCSStore
import Testing

/// Pub/Sub's `publishTime` (RFC 3339 with up to nine fraction digits) read
/// as milliseconds: how long a message waited in the subscription.
@Suite struct PubSubTimeTests {
    @Test func publishTimesReadToTheMillisecond() {
        let second: Int64 = 1_796_601_600_000  // 2026-12-07T00:00:00Z
        #expect(PubSubFeed.milliseconds("2026-12-07T00:00:00Z") == second)
        #expect(PubSubFeed.milliseconds("2026-12-07T00:00:00.5Z") == second + 500)
        #expect(PubSubFeed.milliseconds("2026-12-07T00:00:00.123Z") == second + 123)
        #expect(PubSubFeed.milliseconds("2026-12-07T00:00:00.123456789Z") == second + 123)
    }

    @Test func whatIsNotATimeIsNil() {
        #expect(PubSubFeed.milliseconds("") == nil)
        #expect(PubSubFeed.milliseconds("2026-12-07T00:00:00") == nil)
        #expect(PubSubFeed.milliseconds("2026-12-07T00:00:00.1x3Z") == nil)
        #expect(PubSubFeed.milliseconds("yesterday Z") == nil)
    }
}
