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
    /// - Parameter full: list every date folder; by default the first sync
    ///   and every ``SyncSettings/fullRescanInterval`` do.
    ///   - progress: told `(fetched, total)` as objects arrive, for a progress bar on a large first sync.
    public func sync(full: Bool? = nil, progress: (@Sendable (Int, Int) -> Void)? = nil) async throws(StoreError) -> SyncDelivery {
        await beginSync()
        defer { endSync() }
        let now = ContinuousClock.now
        let rescan = full ?? (lastFullScan.map { now - $0 >= settings.fullRescanInterval } ?? true)
        let listing = try await list(full: rescan)
        if rescan { lastFullScan = now }
        if !lookedForSnapshot && rescan {
            lookedForSnapshot = true
            let versions = Dictionary(listing.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
            restoreSnapshot(versions)
        }

        let changed = listing.filter { info in known[info.key].map { $0 != info } ?? true }
        guard !changed.isEmpty || deliverEverything || deliverAfterTrust else {
            RoomSync.logger.trace("room \(roomID): \(rescan ? "full" : "quick") listing, \(listing.count) object(s), nothing new")
            return SyncDelivery()
        }
        ledger.verifier.nowMs = wallClock()
        let fetched = try await fetchAndTake(changed, progress: progress)
        // An object listed but gone when fetched stays unknown: the next listing
        // that shows it tries again, and one missing file does not hold up the rest.
        let newestBefore = window.newestStart
        let nowMs = wallClock()
        for info in changed where fetched.contains(info.key) {
            if let (name, folder) = noteKnown(info) {
                if !rescan, let newest = newestBefore[folder] {
                    window.noteArrival(startTs: name.startTs, newest: newest, nowMs: nowMs)
                }
            }
        }
        if !fetched.isEmpty {
            ledger.conclude()
            snapshotStale = true
        }
        pinCreatorKey()
        cache?.signatures.save()
        if !fetched.isEmpty { writeSnapshotIfDue() }
        let updates = diff()
        deliverAfterTrust = false
        if updates.contains(where: { if case .event = $0 { return true } else { return false } }) {
            lastActivity = .now
        }
        RoomSync.logger.debug("room \(roomID): \(rescan ? "full" : "quick") listing, \(changed.count) new or changed object(s), \(fetched.count) fetched and verified, \(updates.count) update(s) delivered; next poll in \(currentInterval)")
        return updates
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
            try? await Task.sleep(for: currentInterval)
        }
    }

    /// Fast while the room is active, slower once it has been quiet.
    public var currentInterval: Duration { interval(at: .now) }

    /// The poll interval at a given moment.
    public func interval(at moment: ContinuousClock.Instant) -> Duration {
        guard let lastActivity, moment - lastActivity < settings.idleAfter else { return settings.idleInterval }
        return settings.activeInterval
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
