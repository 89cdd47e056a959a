import ChatProtocol

/// Which part of a room a poll lists: everything, or the date folders that can
/// still receive files from a watermark below the newest start time seen.
///
/// Pure state and decisions, on the reader's clock (milliseconds since the
/// epoch) handed in by the caller: ``RoomSync`` asks it what to list, lists,
/// and tells it what the listing found.
struct ListingWindow: Sendable {
    /// The room's prefix in the store (`rooms/<id>/`).
    let roomPrefix: String
    let settings: SyncSettings
    /// The latest start time among known log objects, per date folder.
    private(set) var newestStart: [String: Int64] = [:]
    /// When a poll last listed the wide window (or everything), on the reader's clock.
    private(set) var lastWideListingMs: Int64?
    /// How late files showed up (see ``SyncSettings/quickListingSlack``), the
    /// largest since the last wide listing and in the interval before it;
    /// nil until an interval has passed, when quick polls use the whole margin.
    private(set) var lateness: (current: Int64, previous: Int64?) = (0, nil)

    /// How long after midnight UTC yesterday's date folder is still polled.
    static let yesterdayWindowMs: Int64 = 15 * 60_000

    /// What one poll lists.
    enum Plan: Equatable, Sendable {
        /// The whole room.
        case everything
        /// These date folders (in order), each from its ``ListingWindow/watermark(_:nowMs:margin:)``
        /// with this margin.
        case folders([String], margin: Duration)
    }

    init(roomPrefix: String, settings: SyncSettings) {
        self.roomPrefix = roomPrefix
        self.settings = settings
    }

    /// How wide a poll lists.
    enum Breadth: Sendable {
        /// The wide window every ``SyncSettings/wideListingInterval``, else the quick one.
        case scheduled
        /// The wide window now (with notifications on, the safety listing).
        case wide
        /// The quick window whatever the schedule says (with notifications
        /// on, catching up: the safety listing covers later files).
        case quick
    }

    /// Decides what a poll at `nowMs` lists, and notes a wide listing (or a
    /// full one) as done.
    mutating func plan(full: Bool, breadth: Breadth = .scheduled, nowMs: Int64) -> Plan {
        if full {
            lastWideListingMs = nowMs
            return .everything
        }
        // On the reader's clock, which tests set; a clock that jumps costs one
        // wide listing early or late, nothing more.
        let due = lastWideListingMs.map { nowMs - $0 >= Int64(settings.wideListingInterval / .milliseconds(1)) || nowMs < $0 } ?? true
        let wide = breadth == .wide || (breadth == .scheduled && due)
        if wide {
            lastWideListingMs = nowMs
            lateness = (0, lateness.current)
        }
        let margin = wide ? settings.listingMargin : quickMargin
        // A batch is named after its first event, so yesterday's folder still receives
        // files for a little while after midnight UTC; later, only the rescan looks there.
        var days = [nowMs]
        if nowMs % 86_400_000 < ListingWindow.yesterdayWindowMs { days.insert(nowMs - 86_400_000, at: 0) }
        return .folders(days.map { roomPrefix + "logs/" + UTCTime(milliseconds: $0).dateFolder + "/" }, margin: margin)
    }

    /// Where a poll of a date folder starts: names sort by their start time, so a
    /// poll lists only files that start at most `margin` before the newest one
    /// seen there, and costs requests for what is new, not for the whole day.
    /// Most polls use ``SyncSettings/quickListingMargin``: every key in the margin
    /// is listed again at each poll, which in a busy room (a thousand devices
    /// each writing a file every ten seconds make 100 files a second) is what a
    /// listing costs. One every ``SyncSettings/wideListingInterval`` uses
    /// ``SyncSettings/listingMargin``; a file that starts earlier still (a device
    /// with a slow clock, an upload stuck for longer) is found by the next full rescan.
    ///
    /// The newest start counts only up to this reader's clock: one device whose
    /// clock runs ahead (or a member naming a file an hour ahead) would otherwise
    /// lift the watermark above every other device's new files, and they would
    /// wait for the rescan.
    func watermark(_ folder: String, nowMs: Int64, margin: Duration) -> String? {
        guard let newest = newestStart[folder] else { return nil }
        let marginMs = Int64(margin / .milliseconds(1))
        return folder + "messages_" + String(max(0, min(newest, nowMs) - marginMs))
    }

    /// A quick poll's window: the largest lateness of the last two wide
    /// intervals plus ``SyncSettings/quickListingSlack``, at most
    /// ``SyncSettings/quickListingMargin``. Every key in the window is listed
    /// again at each poll (four a second while a room is busy), so the window
    /// is what a quick poll costs; a file later than it is found by the next
    /// wide listing, which also widens the window for the next two intervals.
    var quickMargin: Duration {
        guard let previous = lateness.previous else { return settings.quickListingMargin }
        let needed = Duration.milliseconds(max(lateness.current, previous)) + settings.quickListingSlack
        return min(needed, settings.quickListingMargin)
    }

    /// Records a known log object's start time as the newest of its date
    /// folder if it is; returns the folder.
    mutating func noteStart(_ name: LogObjectName) -> String {
        let folder = roomPrefix + "logs/" + name.dateFolder + "/"
        newestStart[folder] = max(newestStart[folder] ?? 0, name.startTs)
        return folder
    }

    /// Records how late a file a quick poll found showed up: `newest` is the
    /// newest start its folder had before the poll, the watermark's base.
    mutating func noteArrival(startTs: Int64, newest: Int64, nowMs: Int64) {
        // How far before the watermark's base this file starts: what the quick
        // window had to cover to find it. Files later than the widest quick
        // window (a device clock well behind, a device back from offline) are
        // the wide listing's and the rescan's to find: widening would not help.
        let late = min(newest, nowMs) - startTs
        if late <= Int64(settings.quickListingMargin / .milliseconds(1)) { lateness.current = max(lateness.current, late) }
    }
}
