import ChatProtocol
import Foundation
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
    public nonisolated let roomID: String
    public let settings: SyncSettings
    private let store: any ObjectStore
    private let cache: ObjectCache?
    private var ledger: RoomLedger
    private var known: [String: ObjectInfo] = [:]
    private var delivered: Set<String> = []
    /// The room's state when its history was delivered all at once: its
    /// table of events names every event delivered then. Asked only when a
    /// diff must look ids up (after a full run): events the ledger's short
    /// path adds are new ids by construction, so most rooms never pay for a
    /// million-entry set at open. A state, not the timeline: holding the
    /// timeline would make its next change copy a million events.
    private var deliveredInBulk: RoomState?
    private var lastDelivered: (timestampMs: Int64, eventID: String)?
    private var reportedRejections: Set<String> = []
    private var reportedAlarms: Set<String> = []
    private var lastFullScan: ContinuousClock.Instant?
    /// The latest start time among known log objects, per date folder.
    private var newestStart: [String: Int64] = [:]
    private var lastActivity: ContinuousClock.Instant?
    /// When a poll last listed the wide window (or everything), on the reader's clock.
    private var lastWideListingMs: Int64?
    /// How late files showed up (see ``SyncSettings/quickListingSlack``), the
    /// largest since the last wide listing and in the interval before it;
    /// nil until an interval has passed, when quick polls use the whole margin.
    private var lateness: (current: Int64, previous: Int64?) = (0, nil)
    /// This reader's clock (milliseconds since the epoch).
    private let wallClock: @Sendable () -> Int64
    /// Whether the first sync has looked for a snapshot of the room yet.
    private var lookedForSnapshot = false
    /// Set when a snapshot was restored: the next diff delivers every event,
    /// since none of them came through this process's stream yet.
    private var deliverEverything = false
    /// When the ledger was last written as a snapshot, and the write under way.
    private var snapshotWrittenAt: ContinuousClock.Instant?
    private var snapshotWrite: Task<Void, Never>?
    /// Whether the ledger changed since the last snapshot was written.
    private var snapshotStale = false
    /// Whether the ledger was restored from a snapshot rather than verified
    /// from the objects (for status, tests and benchmarks).
    public private(set) var restoredFromSnapshot = false

    /// Where the room's creator key is pinned on first sight, if anywhere.
    private let creatorKeyPin: CreatorKeyPin?
    /// The name last recorded in the cache, so a poll writes it only when it changes.
    private var recordedName: String?

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
        guard !changed.isEmpty || deliverEverything else { return SyncDelivery() }
        ledger.verifier.nowMs = wallClock()
        let fetched = try await fetchAndTake(changed, progress: progress)
        // An object listed but gone when fetched stays unknown: the next listing
        // that shows it tries again, and one missing file does not hold up the rest.
        let newestBefore = newestStart
        let nowMs = wallClock()
        for info in changed where fetched.contains(info.key) {
            if let (name, folder) = noteKnown(info) {
                // How far before the watermark's base this file starts: what the quick
                // window had to cover to find it. Files later than the widest quick
                // window (a device clock well behind, a device back from offline) are
                // the wide listing's and the rescan's to find: widening would not help.
                if !rescan, let newest = newestBefore[folder] {
                    let late = min(newest, nowMs) - name.startTs
                    if late <= Int64(settings.quickListingMargin / .milliseconds(1)) { lateness.current = max(lateness.current, late) }
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
        if updates.contains(where: { if case .event = $0 { return true } else { return false } }) {
            lastActivity = .now
        }
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

    private func list(full: Bool) async throws(StoreError) -> [ObjectInfo] {
        let room = RoomObjectKey.roomPrefix(roomID: roomID)
        let nowMs = wallClock()
        if full {
            lastWideListingMs = nowMs
            return try await store.list(prefix: room)
        }
        // On the reader's clock, which tests set; a clock that jumps costs one
        // wide listing early or late, nothing more.
        let wide = lastWideListingMs.map { nowMs - $0 >= Int64(settings.wideListingInterval / .milliseconds(1)) || nowMs < $0 } ?? true
        if wide {
            lastWideListingMs = nowMs
            lateness = (0, lateness.current)
        }
        let margin = wide ? settings.listingMargin : quickMargin
        // A batch is named after its first event, so yesterday's folder still receives
        // files for a little while after midnight UTC; later, only the rescan looks there.
        var days = [nowMs]
        if nowMs % 86_400_000 < RoomSync.yesterdayWindowMs { days.insert(nowMs - 86_400_000, at: 0) }
        var out: [ObjectInfo] = []
        for day in days {
            let folder = room + "logs/" + UTCTime(milliseconds: day).dateFolder + "/"
            out += try await store.list(prefix: folder, startAfter: watermark(folder, nowMs: nowMs, margin: margin))
        }
        return out
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
    private func watermark(_ folder: String, nowMs: Int64, margin: Duration) -> String? {
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
    private var quickMargin: Duration {
        guard let previous = lateness.previous else { return settings.quickListingMargin }
        let needed = Duration.milliseconds(max(lateness.current, previous)) + settings.quickListingSlack
        return min(needed, settings.quickListingMargin)
    }

    /// How long after midnight UTC yesterday's date folder is still polled.
    static let yesterdayWindowMs: Int64 = 15 * 60_000

    /// Fetches objects, at most ``SyncSettings/parallelFetches`` at once
    /// (reading unchanged ones from the cache), and takes them into the
    /// ledger in batches as they arrive: a batch's lines are parsed and its
    /// signatures checked on every core while the next objects are fetched,
    /// so a large room's first sync costs the longer of the two, not their
    /// sum. Returns the keys fetched; the caller concludes the ledger.
    private func fetchAndTake(_ infos: [ObjectInfo], progress: (@Sendable (Int, Int) -> Void)?) async throws(StoreError) -> Set<String> {
        // metadata.json first: its creator key lets the first batches' signatures be found.
        func isMetadata(_ info: ObjectInfo) -> Bool {
            if case .metadata? = RoomObjectKey(key: info.key) { return true } else { return false }
        }
        let ordered = infos.filter(isMetadata) + infos.filter { !isMetadata($0) }
        intake = Intake()
        var missing: [ObjectInfo] = []
        // A local folder's objects are read where they are; copying them to the cache would only cost time and disk.
        let cache = store.isLocal ? nil : self.cache
        var done = 0
        for info in ordered {
            if let bytes = cache?.bytes(for: info) {
                await receive(StoredObject(key: info.key, bytes: bytes))
                done += 1
            } else {
                missing.append(info)
            }
        }
        let store = self.store
        let limit = max(1, settings.parallelFetches)
        do {
            try await withThrowingTaskGroup(of: StoredObject?.self) { group in
                var next = 0
                func launch() {
                    let info = missing[next]
                    next += 1
                    group.addTask {
                        // Keys other tools wrote may not be valid keys for us: skip them here,
                        // the ledger reports them as skipped.
                        guard let key = try? ObjectKey(info.key) else { return StoredObject(key: info.key, bytes: []) }
                        let bytes: [UInt8]
                        do {
                            bytes = try await store.bytes(key)
                        } catch {
                            if let failure = error as? StoreError, failure.code == .notFound { return nil }
                            throw error
                        }
                        cache?.store(bytes, for: info)
                        return StoredObject(key: info.key, bytes: bytes)
                    }
                }
                while next < missing.count && next < limit { launch() }
                while let object = try await group.next() {
                    if let object {
                        await receive(object)
                        done += 1
                    }
                    progress?(done, infos.count)
                    if next < missing.count { launch() }
                }
            }
        } catch let error as StoreError {
            // What was taken in stays unconcluded and unknown: the next sync fetches it again (from the cache, if any).
            _ = await finishIntake()
            throw error
        } catch {
            _ = await finishIntake()
            throw StoreError(.io, "fetching objects of room \(roomID) failed: \(error)", cause: nil)
        }
        return await finishIntake()
    }

    /// Fetched objects on their way into the ledger: the batch being filled,
    /// and the one being checked. Each batch is prepared with the keys of
    /// every batch taken in before it; one is checked at a time.
    private struct Intake {
        var fetched: Set<String> = []
        var batch: [StoredObject] = []
        var batchBytes = 0
        var checking: Task<RoomLedger.Prepared, Never>?
    }

    private var intake = Intake()

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

    private func receive(_ object: StoredObject) async {
        intake.fetched.insert(object.key)
        intake.batch.append(object)
        intake.batchBytes += object.bytes.count
        if intake.batchBytes >= settings.checkBatchBytes || intake.batch.count >= settings.checkBatchObjects { await submitBatch() }
    }

    private func submitBatch() async {
        let objects = intake.batch
        guard !objects.isEmpty else { return }
        intake.batch = []
        intake.batchBytes = 0
        if let previous = intake.checking { ledger.take(await previous.value) }
        let preparer = ledger.preparer
        intake.checking = Task { await RoomSync.offThePool { preparer.prepare(objects) } }
    }

    /// Checks and takes in what is left; returns the keys fetched.
    private func finishIntake() async -> Set<String> {
        await submitBatch()
        if let last = intake.checking { ledger.take(await last.value) }
        let fetched = intake.fetched
        intake = Intake()
        return fetched
    }

    /// Runs CPU-bound work (which spreads itself over the cores) on a
    /// dispatch queue, not on a thread of Swift's cooperative pool, which the
    /// fetches need meanwhile.
    static func offThePool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async { continuation.resume(returning: work()) }
        }
    }

    /// Replaces the empty ledger with the room's snapshot, if the cache holds
    /// one that still matches the store (`versions`: what the store shows,
    /// by key). Objects the snapshot covers are then known, and the next
    /// sync fetches only what is new.
    private func restoreSnapshot(_ versions: [String: ObjectInfo]) {
        guard let cache, known.isEmpty, let bytes = cache.snapshot(roomID: roomID),
              let restored = RoomLedger.restore(bytes, roomID: roomID, verifier: ledger.verifier,
                                                versions: versions.mapValues(RoomSync.versionTag))
        else { return }
        ledger = restored
        for key in restored.objectKeys {
            if let info = versions[key] { noteKnown(info) }
        }
        deliverEverything = true
        restoredFromSnapshot = true
        snapshotWrittenAt = .now
    }

    /// Records an object as known and, for a log object, its start time as
    /// the newest of its date folder if it is; returns the log name and folder.
    @discardableResult
    private func noteKnown(_ info: ObjectInfo) -> (name: LogObjectName, folder: String)? {
        known[info.key] = info
        guard let name = LogObjectName(key: info.key) else { return nil }
        let folder = RoomObjectKey.roomPrefix(roomID: roomID) + "logs/" + name.dateFolder + "/"
        newestStart[folder] = max(newestStart[folder] ?? 0, name.startTs)
        return (name, folder)
    }

    /// How a snapshot names the version of an object it holds.
    static func versionTag(_ info: ObjectInfo) -> String { "\(info.size) \(info.etag)" }

    /// Writes the ledger as the room's snapshot in the background, if there is
    /// none yet or the last one is older than ``SyncSettings/snapshotInterval``
    /// and no write is under way.
    private func writeSnapshotIfDue() {
        guard cache != nil, snapshotWrite == nil,
              snapshotWrittenAt.map({ ContinuousClock.now - $0 >= settings.snapshotInterval }) ?? true
        else { return }
        writeSnapshot()
    }

    private func writeSnapshot() {
        guard let cache else { return }
        // The ledger is a value: the copy is written while polls go on.
        let ledger = self.ledger
        let versions = known
        let roomID = self.roomID
        snapshotWrittenAt = .now
        snapshotStale = false
        snapshotWrite = Task.detached(priority: .utility) { [weak self] in
            if let snapshot = ledger.snapshot(version: { versions[$0].map(RoomSync.versionTag) }) {
                cache.storeSnapshot(snapshot, roomID: roomID)
            }
            await self?.snapshotWriteEnded()
        }
    }

    private func snapshotWriteEnded() { snapshotWrite = nil }

    /// Writes the room's snapshot now if the ledger changed since the last
    /// one, and returns once it is on disk: for a process about to exit, so
    /// that its next open is fast.
    public func saveSnapshot() async {
        await snapshotWrite?.value
        guard snapshotStale else { return }
        writeSnapshot()
        await snapshotWrite?.value
    }

    /// Waits for a snapshot write under way, if any.
    public func snapshotWritten() async {
        await snapshotWrite?.value
    }

    /// Pins the creator key of the first valid metadata seen. Failing to
    /// write the pin only loses the protection for a later open, so it is not
    /// an error for the sync.
    private func pinCreatorKey() {
        recordName()
        guard let creatorKeyPin, ledger.verifier.pinnedCreatorKey == nil,
              let key = ledger.verification.metadata?.creatorKey else { return }
        ledger.verifier.pinnedCreatorKey = key
        try? creatorKeyPin.write(key)
    }

    /// Keeps the room's verified name in the cache, so commands can find the
    /// room by the name its members see (``RoomDirectory``).
    private func recordName() {
        guard let cache else { return }
        let verification = ledger.verification
        guard let name = verification.state.name ?? verification.metadata?.name, !name.isEmpty, name != recordedName else { return }
        recordedName = name
        cache.recordName(name, roomID: roomID)
    }

    /// What the latest verification adds to what was already delivered.
    private func diff() -> SyncDelivery {
        let result = ledger.verification
        var updates: [RoomUpdate] = []
        var history: ArraySlice<VerifiedEvent> = []
        var newEvents = false
        if deliverEverything || (lastDelivered == nil && delivered.isEmpty && deliveredInBulk == nil) {
            // Nothing was delivered before, and the timeline is in order: none is late.
            deliverEverything = false
            deliveredInBulk = result.state
            history = result.accepted[...]
            if let last = result.accepted.last { lastDelivered = (last.event.timestampMs, last.event.eventID) }
            newEvents = !result.accepted.isEmpty
        } else {
            // After an ingest that only added events, only those can be new.
            let candidates = ledger.newlyAccepted ?? result.accepted
            let bulk = ledger.newlyAccepted == nil ? deliveredInBulk : nil
            for event in candidates where !delivered.contains(event.event.eventID) && !(bulk?.contains(eventID: event.event.eventID) ?? false) {
                delivered.insert(event.event.eventID)
                let key = (event.event.timestampMs, event.event.eventID)
                var late = false
                if let last = lastDelivered {
                    late = key.0 < last.timestampMs || (key.0 == last.timestampMs && key.1.utf8.lexicographicallyPrecedes(last.eventID.utf8))
                }
                if !late { lastDelivered = key }
                updates.append(.event(event, late: late))
                newEvents = true
            }
        }
        for rejection in result.rejected {
            let id = "\(rejection.objectKey):\(rejection.line ?? 0):\(rejection.reason.rawValue)"
            if reportedRejections.insert(id).inserted { updates.append(.rejected(rejection)) }
        }
        for alarm in result.alarms {
            let id = "\(alarm.kind.rawValue):\(alarm.eventID ?? ""):\(alarm.detail)"
            if reportedAlarms.insert(id).inserted { updates.append(.alarm(alarm)) }
        }
        if newEvents { updates.append(.stateChanged) }
        return SyncDelivery(history: history, rest: updates)
    }
}
