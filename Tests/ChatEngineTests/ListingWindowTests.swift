import ChatProtocol
import Testing
@testable import ChatEngine

/// The listing window's decisions for a given clock and newest starts, without
/// a store: which folders a poll lists, from where, and how the quick window
/// follows how late files showed up. (`RoomSyncWindowTests` and
/// `RoomSyncClockTests` check the same through a store.)
@Suite struct ListingWindowTests {
    static let day: Int64 = 86_400_000
    /// 2024-10-04 00:00:00 UTC.
    static let midnight: Int64 = 20_000 * day
    static let room = "rooms/room_window/"
    static let today = room + "logs/2024-10-04/"
    static let yesterday = room + "logs/2024-10-03/"

    func name(_ startTs: Int64) throws -> LogObjectName {
        try #require(LogObjectName(key: "rooms/room_window/logs/\(UTCTime(milliseconds: startTs).dateFolder)/messages_\(startTs)_\(startTs + 10)_alice_a1.jsonl"))
    }

    @Test func aFullListingListsEverythingAndCountsAsWide() {
        var window = ListingWindow(roomPrefix: Self.room, settings: SyncSettings())
        let noon = Self.midnight + Self.day / 2
        #expect(window.plan(full: true, nowMs: noon) == .everything)
        #expect(window.lastWideListingMs == noon)
        #expect(window.lateness.previous == nil, "a full listing leaves the lateness as it was")
        #expect(window.plan(full: false, nowMs: noon + 1_000) == .folders([Self.today], margin: window.quickMargin))
        #expect(window.quickMargin == SyncSettings().quickListingMargin, "no interval has passed yet: the whole margin")
    }

    @Test func pollsAreWideEveryIntervalAndWhenTheClockGoesBack() {
        let settings = SyncSettings()
        var window = ListingWindow(roomPrefix: Self.room, settings: settings)
        let noon = Self.midnight + Self.day / 2
        #expect(window.plan(full: false, nowMs: noon) == .folders([Self.today], margin: settings.listingMargin), "the first poll is wide")
        #expect(window.plan(full: false, nowMs: noon + 9_999) == .folders([Self.today], margin: settings.quickListingSlack))
        #expect(window.plan(full: false, nowMs: noon + 10_000) == .folders([Self.today], margin: settings.listingMargin))
        #expect(window.plan(full: false, nowMs: noon + 5_000) == .folders([Self.today], margin: settings.listingMargin), "a clock that went back")
    }

    @Test func yesterdaysFolderIsListedJustAfterMidnight() {
        var window = ListingWindow(roomPrefix: Self.room, settings: SyncSettings())
        let justAfter = Self.midnight + ListingWindow.yesterdayWindowMs - 1
        guard case .folders(let folders, _) = window.plan(full: false, nowMs: justAfter) else { Issue.record("not folders"); return }
        #expect(folders == [Self.yesterday, Self.today])
        guard case .folders(let later, _) = window.plan(full: false, nowMs: justAfter + 1) else { Issue.record("not folders"); return }
        #expect(later == [Self.today])
    }

    @Test func theWatermarkIsTheNewestStartUpToTheClockLessTheMargin() throws {
        var window = ListingWindow(roomPrefix: Self.room, settings: SyncSettings())
        let noon = Self.midnight + Self.day / 2
        #expect(window.watermark(Self.today, nowMs: noon, margin: .seconds(5)) == nil, "a folder with nothing known is listed whole")
        #expect(window.noteStart(try name(noon - 30_000)) == Self.today)
        #expect(window.noteStart(try name(noon - 40_000)) == Self.today, "an older start leaves the newest as it is")
        #expect(window.newestStart[Self.today] == noon - 30_000)
        #expect(window.watermark(Self.today, nowMs: noon, margin: .seconds(5)) == Self.today + "messages_\(noon - 35_000)")

        // A file an hour ahead of this reader's clock does not lift the watermark past it.
        _ = window.noteStart(try name(noon + 3_600_000))
        #expect(window.watermark(Self.today, nowMs: noon, margin: .seconds(5)) == Self.today + "messages_\(noon - 5_000)")
        #expect(window.watermark(Self.today, nowMs: 1_000, margin: .seconds(5)) == Self.today + "messages_0", "never below zero")
    }

    @Test func theQuickWindowFollowsLatenessUpToTheQuickMargin() {
        let settings = SyncSettings()
        var window = ListingWindow(roomPrefix: Self.room, settings: settings)
        let noon = Self.midnight + Self.day / 2
        _ = window.plan(full: false, nowMs: noon)
        #expect(window.quickMargin == settings.quickListingSlack, "nothing was late: the slack")

        // What the next wide listing finds.
        _ = window.plan(full: false, nowMs: noon + 10_000)
        window.noteArrival(startTs: noon - 3_000, newest: noon, nowMs: noon + 10_000)
        window.noteArrival(startTs: noon - 20_000, newest: noon, nowMs: noon + 10_000)
        #expect(window.lateness.current == 3_000, "later than the quick margin is the wide listing's to find")
        #expect(window.quickMargin == .seconds(4))
        _ = window.plan(full: false, nowMs: noon + 20_000)
        #expect(window.quickMargin == .seconds(4), "it stays wide for the next interval too")
        _ = window.plan(full: false, nowMs: noon + 30_000)
        #expect(window.quickMargin == settings.quickListingSlack)

        // A newest start ahead of the reader's clock counts only up to the clock.
        window.noteArrival(startTs: noon + 30_000 - 4_900, newest: noon + 3_600_000, nowMs: noon + 30_000)
        #expect(window.lateness.current == 4_900)
        #expect(window.quickMargin == .seconds(5), "the slack on top is capped at the quick margin")
    }
}
