/// How often a room is polled.
///
/// Polls are fast while the room is active and slow down when it is idle; a
/// full rescan of every date folder runs now and then, since a device that was
/// offline uploads old events late, under old date folders.
public struct SyncSettings: Sendable {
    /// The poll interval while new events keep arriving.
    public var activeInterval: Duration = .milliseconds(250)
    /// The poll interval once the room has been quiet for ``idleAfter``.
    public var idleInterval: Duration = .seconds(5)
    /// How long without new events before the room counts as idle.
    public var idleAfter: Duration = .seconds(60)
    /// How often every date folder is listed again (default 10 minutes).
    public var fullRescanInterval: Duration = .seconds(600)
    /// The most a quick poll of a date folder lists before the newest file
    /// seen: a file appears a moment after the time it is named for (the
    /// upload's linger, one second at most under load, the PUT), and the keys
    /// in this window are listed again on every poll. The window follows how
    /// late files actually showed up (``quickListingSlack``), up to this.
    public var quickListingMargin: Duration = .seconds(5)
    /// Added to the largest lateness seen over the last two wide intervals to
    /// make a quick poll's window: how far before the newest file seen a file
    /// showed up (its start against the newest start the reader knew then).
    /// While uploads land promptly the window is about this long, and a busy
    /// room's polls list a fifth of the keys the full margin would.
    public var quickListingSlack: Duration = .seconds(1)
    /// The wider window listed every ``wideListingInterval``: uploads late by
    /// up to this much (retries, a device clock somewhat behind) are found
    /// within that interval, later ones at the next full rescan.
    public var listingMargin: Duration = .seconds(60)
    /// How often a poll lists the wider window.
    public var wideListingInterval: Duration = .seconds(10)
    /// How often the room's verified ledger is written to the cache while
    /// objects keep arriving (the first time at once), so that the next open
    /// restores it instead of verifying everything again. A million-event
    /// room's snapshot takes about a second of background work to write.
    public var snapshotInterval: Duration = .seconds(300)
    /// Objects fetched at once.
    public var parallelFetches = 16
    /// How much of what a sync fetches is checked at once (parsed, and its
    /// signatures verified on every core) while the rest is still being
    /// fetched: a batch closes at this many bytes or ``checkBatchObjects``
    /// objects. Smaller batches start checking sooner; each costs a little.
    public var checkBatchBytes = 4 << 20
    public var checkBatchObjects = 512

    /// Whether the store's event notifications wake readers (S3 through SNS
    /// and SQS, GCS through Pub/Sub): `auto` uses them where the store has
    /// them set up, `off` only polls. `sync.notifications` in config.toml.
    public var notifications: NotificationMode = .auto
    /// With notifications on, how often a room is still listed: the safety
    /// net for a notification lost or late (clouds deliver at least once,
    /// usually within seconds, not always). `sync.notification_listing_s`.
    public var notifiedListingInterval: Duration = .seconds(60)
    /// A queue (S3: SQS queue name or URL) or subscription named in the
    /// settings, used as it is; nil: each device creates and subscribes its
    /// own on first use. `sync.notification_queue`.
    public var notificationQueue: String?

    public init() {}
}

/// Whether storage notifications are used (``SyncSettings/notifications``).
public enum NotificationMode: String, Sendable, CaseIterable {
    case auto
    case off
}
