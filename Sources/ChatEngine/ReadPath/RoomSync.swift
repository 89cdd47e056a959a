import ChatProtocol
import Foundation
import Logging
import ObjectStore

/// Keeps one room's verified timeline up to date from a store and turns what
/// changes into an ordered stream of ``RoomUpdate``s.
///
/// The first sync lists the whole room. Later polls list only the date folders
/// that can still receive files (today's, and yesterday's just after midnight UTC) and diff them
/// against the objects already known — never "start after the last key",
/// since late uploads carry old names — with a periodic full rescan for
/// devices that come back after a long time offline.
public actor RoomSync {
    /// What each poll decided (`bucketchat -v`): the listing, what was new, what was delivered.
    static let logger = Logger(label: "bucketchat.sync")

    public nonisolated let roomID: String
    public let settings: SyncSettings
    let store: any ObjectStore
    let cache: ObjectCache?
    var ledger: RoomLedger
    var known: [String: ObjectInfo] = [:]
    var delivered: Set<String> = []
    /// The room's state when its history was delivered all at once: its
    /// table of events names every event delivered then. Asked only when a
    /// diff must look ids up (after a full run): events the ledger's short
    /// path adds are new ids by construction, so most rooms never pay for a
    /// million-entry set at open. A state, not the timeline: holding the
    /// timeline would make its next change copy a million events.
    var deliveredInBulk: RoomState?
    var lastDelivered: (timestampMs: Int64, eventID: String)?
    var reportedRejections: Set<String> = []
    var reportedAlarms: Set<String> = []
    private var lastFullScan: ContinuousClock.Instant?
    /// When the room was last listed, and how.
    private var lastListing: ContinuousClock.Instant?
    /// When the room last had a safety listing with notifications on (wide,
    /// or everything): a catch-up listing (``catchUp()``) is quick and does not count.
    private var lastSafetyListing: ContinuousClock.Instant?
    /// The notifications are behind (``catchUp()``): list as polling would,
    /// every ``SyncSettings/activeInterval``, until they catch up.
    private(set) var catchUpRequested = false
    private var lastListingKind = "quick"
    /// Whether the store's notifications drive syncs (``notificationsStarted()``).
    private var notificationsActive = false
    /// Objects notifications named that are not taken in yet, by key.
    private var pendingHints: [String: ObjectInfo] = [:]
    /// A listing is wanted at the next sync (a notification that could not be used).
    private var listingRequested = false
    /// Loops waiting in ``waitForWork(upTo:)``.
    private var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    private var nextWaiter = 0
    /// How many listings this room made, and how many objects hints fetched (tests, benchmarks).
    public private(set) var listings = 0
    public private(set) var hintedObjects = 0
    /// The date folders a poll lists and from where: watermarks, lateness, wide listings.
    var window: ListingWindow
    private var lastActivity: ContinuousClock.Instant?
    /// This reader's clock (milliseconds since the epoch).
    let wallClock: @Sendable () -> Int64
    /// Whether the first sync has looked for a snapshot of the room yet.
    private var lookedForSnapshot = false
    /// Set when a snapshot was restored: the next diff delivers every event,
    /// since none of them came through this process's stream yet.
    var deliverEverything = false
    /// The ledger changed without a fetch (keys trusted since): the next sync diffs even when nothing new is listed.
    var deliverAfterTrust = false
    /// When the ledger was last written as a snapshot, and the write under way.
    var snapshotWrittenAt: ContinuousClock.Instant?
    var snapshotWrite: Task<Void, Never>?
    /// Whether the ledger changed since the last snapshot was written.
    var snapshotStale = false
    /// Whether the ledger was restored from a snapshot rather than verified
    /// from the objects (for status, tests and benchmarks).
    public internal(set) var restoredFromSnapshot = false
    /// Fetched objects on their way into the ledger (``RoomSync/Intake``).
    var intake = Intake()

    /// Where the room's creator key is pinned on first sight, if anywhere.
    let creatorKeyPin: CreatorKeyPin?
    /// The name last recorded in the cache, so a poll writes it only when it changes.
    var recordedName: String?

    /// - Parameters:
    ///   - cache: where fetched objects are kept, so a restart fetches only new ones.
    ///   - creatorKeyPin: where the creator key of the first valid `metadata.json`
    ///     seen is kept; a later, different one raises a `creator_key_changed` alarm.
    ///   - now: the reader's clock, for `future_timestamp`, the date folders to poll and the listing watermark.
    public init(store: any ObjectStore, roomID: String, verifier: RoomVerifier = RoomVerifier(),
                settings: SyncSettings = SyncSettings(), cache: ObjectCache? = nil, creatorKeyPin: CreatorKeyPin? = nil,
                now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }) {
        self.store = store
        self.wallClock = now
        self.roomID = roomID
        self.settings = settings
        self.cache = cache
        self.creatorKeyPin = creatorKeyPin
        self.window = ListingWindow(roomPrefix: RoomObjectKey.roomPrefix(roomID: roomID), settings: settings)
        var verifier = verifier
        if verifier.memo == nil { verifier.memo = cache?.signatures }
        if verifier.pinnedCreatorKey == nil { verifier.pinnedCreatorKey = creatorKeyPin?.read() }
        self.ledger = RoomLedger(roomID: roomID, verifier: verifier)
    }

    /// The verification of everything synced so far.
    public var verification: RoomVerification { ledger.verification }

    /// The room's valid `metadata.json`, once a sync has read one (without
    /// taking the whole verification).
    public var metadata: RoomMetadata? { ledger.verification.metadata }

    /// Verifies what the cache holds of the room, without the network: the
    /// last known state, for when the store cannot be reached.
    public func loadCache() -> SyncDelivery {
        guard let cache else { return SyncDelivery() }
        if !lookedForSnapshot {
            lookedForSnapshot = true
            restoreSnapshot(cache.infos(prefix: RoomObjectKey.roomPrefix(roomID: roomID)))
        }
        // Objects cached after the snapshot was written are taken in too: the
        // view offline is the last synced one, not the last snapshot's.
        let cached = cache.objects(prefix: RoomObjectKey.roomPrefix(roomID: roomID)).filter { known[$0.info.key] == nil }
        guard !cached.isEmpty else { return deliverEverything ? diff() : SyncDelivery() }
        for entry in cached { known[entry.info.key] = entry.info }
        ledger.ingest(cached.map { StoredObject(key: $0.info.key, bytes: $0.bytes) })
        pinCreatorKey()
        return diff()
    }

    /// Polls once and returns what changed, in timeline order.
    ///
    /// While the store's notifications are on (``notificationsStarted()``),
    /// a sync that no listing is due for fetches only the objects the
    /// notifications named (``hint(_:)``), with no LIST; a listing is due every
    /// ``SyncSettings/notifiedListingInterval``, at once when asked for
    /// (``requestListing()``), and within the same sync when what the hints
    /// brought leaves a gap in a device's chain (a notification lost or late).
    ///
    /// - Parameter full: list every date folder; by default the first sync
    ///   and every ``SyncSettings/fullRescanInterval`` do.
    ///   - progress: told `(fetched, total)` as objects arrive, for a progress bar on a large first sync.
    public func sync(full: Bool? = nil, progress: (@Sendable (Int, Int) -> Void)? = nil) async throws(StoreError) -> SyncDelivery {
        await beginSync()
        defer { endSync() }
        let now = ContinuousClock.now
        let hinted = pendingHints
        pendingHints = [:]
        let safetyDue = full != nil || !notificationsActive || listingRequested
            || lastSafetyListing.map { now - $0 >= settings.notifiedListingInterval } ?? true
        let catchUpDue = catchUpRequested && (lastListing.map { now - $0 >= settings.activeInterval } ?? true)
        do {
            if safetyDue || catchUpDue {
                // A catch-up lists the quick window as a poll does (never the
                // wide one: that is the safety net's, and costs a listing of a
                // minute of keys); the safety net lists wide.
                let breadth: ListingWindow.Breadth = !notificationsActive ? .scheduled : safetyDue ? .wide : .quick
                let fetched = try await listAndTake(full: full, now: now, hinted: hinted, breadth: breadth, progress: progress)
                return finish(fetched: fetched, how: safetyDue ? "listing" : "listing to catch up with notifications", candidates: nil)
            }
            let changed = hinted.values.filter { !isKnown($0) }.sorted { $0.key < $1.key }
            guard !changed.isEmpty || deliverEverything || deliverAfterTrust else { return SyncDelivery() }
            var fetched = try await take(changed, listed: false, progress: progress)
            hintedObjects += fetched.count
            guard hasUnreportedGap else { return finish(fetched: fetched, how: "notified", candidates: nil) }
            // A device's chain has a gap: its missing file's notification may
            // be lost or late. List now, and deliver both steps' events in
            // timeline order, with no gap alarm if the listing closes it.
            let first = fetched.isEmpty ? [] : ledger.newlyAccepted
            let more = try await listAndTake(full: nil, now: .now, hinted: [:], breadth: .wide, progress: progress)
            let second = more.isEmpty ? [] : ledger.newlyAccepted
            fetched.formUnion(more)
            // Either step verifying the room again from the start (no list of
            // new events) makes the diff compare the whole timeline.
            guard let first, let second else {
                return finish(fetched: fetched, how: "notified, then listing after a gap", candidates: nil, wholeTimeline: true)
            }
            let candidates = (first + second).sorted {
                $0.event.timestampMs != $1.event.timestampMs ? $0.event.timestampMs < $1.event.timestampMs
                    : $0.event.eventID.utf8.lexicographicallyPrecedes($1.event.eventID.utf8)
            }
            return finish(fetched: fetched, how: "notified, then listing after a gap", candidates: candidates)
        } catch {
            // What the hints named and was not taken in is tried again at the next sync.
            for (key, info) in hinted where known[key] != info && pendingHints[key] == nil { pendingHints[key] = info }
            throw error
        }
    }

    /// Lists (everything when a rescan is due), restores a snapshot on the
    /// first full listing, and takes in what is new, with what the hints
    /// named that the listing did not show; returns the keys fetched.
    /// `breadth`: which window (``ListingWindow/Breadth``).
    private func listAndTake(full: Bool?, now: ContinuousClock.Instant, hinted: [String: ObjectInfo], breadth: ListingWindow.Breadth,
                             progress: (@Sendable (Int, Int) -> Void)?) async throws(StoreError) -> Set<String> {
        let rescan = full ?? (lastFullScan.map { now - $0 >= settings.fullRescanInterval } ?? true)
        listingRequested = false
        catchUpRequested = false
        let listing = try await list(full: rescan, breadth: breadth)
        lastListing = now
        if breadth == .wide || rescan { lastSafetyListing = now }
        listings += 1
        if rescan { lastFullScan = now }
        if !lookedForSnapshot && rescan {
            lookedForSnapshot = true
            let versions = Dictionary(listing.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
            restoreSnapshot(versions)
        }
        // An object a hint without an etag made known (a notice that gave
        // none) is the listed one: objects are never replaced.
        for info in listing {
            if let hinted = known[info.key], hinted.etag.isEmpty, hinted != info, hinted.size == info.size || hinted.size == 0 {
                known[info.key] = info
            }
        }
        var changed = listing.filter { info in known[info.key].map { $0 != info } ?? true }
        if !hinted.isEmpty {
            // A hint for a key the listing did not cover (another date folder): fetched all the same.
            let listed = Set(listing.map(\.key))
            changed += hinted.values.filter { !listed.contains($0.key) && !isKnown($0) }.sorted { $0.key < $1.key }
        }
        lastListingKind = rescan ? "full" : "quick"
        guard !changed.isEmpty || deliverEverything || deliverAfterTrust else {
            RoomSync.logger.trace("room \(roomID): \(rescan ? "full" : "quick") listing, \(listing.count) object(s), nothing new")
            return []
        }
        return try await take(changed, listed: !rescan, progress: progress)
    }

    /// Fetches and verifies objects, notes them known and concludes the
    /// ledger; `listed`: found by a quick listing, whose lateness tunes the
    /// quick window. Returns the keys fetched.
    private func take(_ changed: [ObjectInfo], listed: Bool, progress: (@Sendable (Int, Int) -> Void)?) async throws(StoreError) -> Set<String> {
        ledger.verifier.nowMs = wallClock()
        let fetched = try await fetchAndTake(changed, progress: progress)
        // An object listed but gone when fetched stays unknown: the next listing
        // that shows it tries again, and one missing file does not hold up the rest.
        let newestBefore = window.newestStart
        let nowMs = wallClock()
        for info in changed where fetched.contains(info.key) {
            if let (name, folder) = noteKnown(info) {
                if listed, let newest = newestBefore[folder] {
                    window.noteArrival(startTs: name.startTs, newest: newest, nowMs: nowMs)
                }
            }
        }
        if !fetched.isEmpty {
            ledger.conclude()
            snapshotStale = true
        }
        return fetched
    }

    /// The updates since the last delivery, after a sync fetched `fetched`.
    private func finish(fetched: Set<String>, how: String, candidates: [VerifiedEvent]?, wholeTimeline: Bool = false) -> SyncDelivery {
        guard !fetched.isEmpty || deliverEverything || deliverAfterTrust else { return SyncDelivery() }
        pinCreatorKey()
        cache?.signatures.save()
        if !fetched.isEmpty { writeSnapshotIfDue() }
        let updates = diff(candidates: candidates, wholeTimeline: wholeTimeline)
        deliverAfterTrust = false
        if updates.contains(where: { if case .event = $0 { return true } else { return false } }) {
            lastActivity = .now
        }
        RoomSync.logger.debug("room \(roomID): \(how == "listing" ? lastListingKind + " listing" : how), \(fetched.count) fetched and verified, \(updates.count) update(s) delivered; next poll in \(currentInterval)")
        return updates
    }

    /// Whether the verification holds a gap alarm not delivered yet.
    private var hasUnreportedGap: Bool {
        ledger.verification.alarms.contains { $0.kind == .gap && !reportedAlarms.contains(RoomSync.alarmID($0)) }
    }

    /// Polls until cancelled, handing every update to `deliver` in order.
    /// Store errors are reported through `failed` and retried at the next poll.
    public func run(deliver: @Sendable (RoomUpdate) async -> Void,
                    failed: @Sendable (StoreError) async -> Void = { _ in }) async {
        while !Task.isCancelled {
            do {
                for update in try await sync() { await deliver(update) }
            } catch {
                await failed(error)
            }
            await waitForWork(upTo: currentInterval)
        }
    }

    /// Fast while the room is active, slower once it has been quiet; with
    /// notifications on, the time until the next listing is due.
    public var currentInterval: Duration { interval(at: .now) }

    /// The poll interval at a given moment.
    public func interval(at moment: ContinuousClock.Instant) -> Duration {
        if notificationsActive {
            if listingRequested || !pendingHints.isEmpty { return .zero }
            guard let lastSafetyListing else { return .zero }
            var due = lastSafetyListing + settings.notifiedListingInterval
            if catchUpRequested, let lastListing { due = min(due, lastListing + settings.activeInterval) }
            return due > moment ? due - moment : .zero
        }
        guard let lastActivity, moment - lastActivity < settings.idleAfter else { return settings.idleInterval }
        return settings.activeInterval
    }

    // MARK: Notifications

    /// The store's notifications reach this room now: it lists rarely and
    /// fetches what hints name. Asks for a listing at once, which covers
    /// anything created before the notifications were subscribed.
    public func notificationsStarted() {
        notificationsActive = true
        listingRequested = true
        wakeWaiters()
    }

    /// The notifications stopped (a queue gone, access denied, the cloud
    /// unreachable): back to polling, starting now.
    public func notificationsStopped() {
        notificationsActive = false
        catchUpRequested = false
        wakeWaiters()
    }

    /// Whether the store's notifications drive this room's syncs.
    public var notificationsAreActive: Bool { notificationsActive }

    /// Objects a notification says were created in this room: fetched at the
    /// next sync without listing. Keys already known as they are (a
    /// duplicate notification, an object a listing found first) are dropped here.
    public func hint(_ infos: [ObjectInfo]) {
        var added = false
        for info in infos where !isKnown(info) && pendingHints[info.key] == nil {
            pendingHints[info.key] = info
            added = true
        }
        if added { wakeWaiters() }
    }

    /// Whether a hint names an object already taken in: the same key with
    /// the same etag, or with none given (objects are never replaced, and
    /// some notices carry no etag).
    private func isKnown(_ info: ObjectInfo) -> Bool {
        guard let known = known[info.key] else { return false }
        return known == info || info.etag.isEmpty
    }

    /// The notifications are behind (what a receive brought waited in the
    /// queue for seconds): the next syncs list the quick window
    /// as polling would, at most every ``SyncSettings/activeInterval``,
    /// until one has listed after the last such call. Does not wake the room
    /// by itself: the hints that come with it do.
    public func catchUp() {
        guard notificationsActive else { return }
        catchUpRequested = true
    }

    /// A notification could not be used: list at the next sync, now.
    public func requestListing() {
        listingRequested = true
        wakeWaiters()
    }

    /// Waits until `duration` has passed, or hints or a listing request came
    /// (a wake-up), or the task is cancelled. While the room polls (no
    /// notifications), a plain sleep: a follower that starts notifications
    /// meanwhile is heard at the next poll, at most an idle interval later.
    public func waitForWork(upTo duration: Duration) async {
        if listingRequested || !pendingHints.isEmpty || Task.isCancelled || duration <= .zero { return }
        guard notificationsActive else {
            try? await Task.sleep(for: duration)
            return
        }
        let id = nextWaiter
        nextWaiter += 1
        let timer = Task { [weak self] in
            try? await Task.sleep(for: duration)
            await self?.wakeWaiter(id)
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                waiters[id] = continuation
            }
        } onCancel: {
            Task { [weak self] in await self?.wakeWaiter(id) }
        }
        timer.cancel()
    }

    private func wakeWaiter(_ id: Int) {
        waiters.removeValue(forKey: id)?.resume()
    }

    private func wakeWaiters() {
        let all = waiters
        waiters = [:]
        for continuation in all.values { continuation.resume() }
    }

    /// Syncs run one at a time: one takes its objects into the ledger over
    /// many suspensions, which another must not interleave with.
    private var syncing = false
    private var waitingToSync: [CheckedContinuation<Void, Never>] = []

    private func beginSync() async {
        if syncing { await withCheckedContinuation { waitingToSync.append($0) } }
        syncing = true
    }

    private func endSync() {
        // The next waiting sync goes on as the one syncing.
        if waitingToSync.isEmpty { syncing = false } else { waitingToSync.removeFirst().resume() }
    }
}
