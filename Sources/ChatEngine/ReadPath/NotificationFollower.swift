import Foundation
import ObjectStore

/// Follows one store's event notifications for one device (one queue or
/// subscription for all its rooms) and hands each room's new keys to that
/// room's ``RoomSync`` as wake-up hints: the room fetches them at once,
/// without listing, and lists only every
/// ``SyncSettings/notifiedListingInterval``.
///
/// Notifications are hints, never the record: a room lists at once when a
/// message cannot be used, and whenever the feed fails the rooms go back to
/// polling. A feed that cannot be opened or is refused (not set up, a queue
/// or topic missing, access denied) is said once, in one warning, and the
/// rooms poll as before; a feed that fails for a while (the cloud
/// unreachable) is retried with backoff, the rooms polling meanwhile.
///
/// A message is deleted from the queue once its keys are handed to the rooms:
/// a crash before they are fetched loses nothing, since a room lists on open.
///
/// A receive that comes back full means the queue holds more (a burst, many
/// senders): more receive loops drain it alongside the long poll. A batch
/// whose messages waited in the queue for seconds means the reader is behind
/// it: the rooms it names list as often as polling would until they have
/// listed after the last such batch, so a backlog is never slower than polling.
public actor NotificationFollower {
    /// What the follower is doing, for status and tests.
    public enum State: Sendable, Equatable {
        case starting
        /// Notifications drive the rooms' syncs.
        case active
        /// The feed failed for now; the rooms poll while it is retried.
        case retrying(String)
        /// Notifications are not used (the reason was warned once); the rooms poll.
        case polling(String)
        case stopped
    }

    public nonisolated let notifications: any StoreNotifications
    public nonisolated let request: ChangeFeedRequest
    let log: @Sendable (String) -> Void
    private var rooms: [String: RoomSync] = [:]
    private var task: Task<Void, Never>?
    /// Receive loops draining a backlog besides the first, by id.
    private var drainers: [Int: Task<Void, Never>] = [:]
    private var nextDrainer = 0
    /// The most receives in flight at once: one long poll always, more only
    /// while receives come back full.
    public nonisolated let receivesAtOnce: Int
    public private(set) var state: State = .starting
    /// Receives made, messages received, keys handed to rooms, unusable messages (benchmarks, tests).
    public private(set) var receives = 0
    public private(set) var messages = 0
    public private(set) var hintedKeys = 0
    public private(set) var unusable = 0
    /// Batches whose oldest message had waited longer than ``behindAfter``.
    public private(set) var batchesBehind = 0
    /// How long a message may wait in the queue before the rooms it names
    /// catch up by listing.
    public nonisolated let behindAfter: Duration
    /// This reader's clock (milliseconds since the epoch), against the cloud's
    /// time of queueing.
    let wallClock: @Sendable () -> Int64
    /// Called with the id of a room a notification names that is not followed
    /// here (a room this device may have been invited to).
    private var unknownRoom: (@Sendable (String) -> Void)?

    /// - Parameters:
    ///   - subscriber: this device in this store (``ChangeFeedRequest/subscriber``).
    ///   - queue: a queue or subscription named in the settings.
    ///   - log: where the one warning and the state changes go.
    ///   - receivesAtOnce: receives in flight at most while draining a backlog.
    ///   - behindAfter: a batch whose oldest message waited longer than this
    ///     in the queue (by the cloud's clock against `now`) makes the rooms it
    ///     names catch up by listing.
    public init(notifications: any StoreNotifications, subscriber: String, queue: String? = nil, receivesAtOnce: Int = 4,
                behindAfter: Duration = .seconds(2),
                now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) },
                log: @escaping @Sendable (String) -> Void) {
        self.notifications = notifications
        self.receivesAtOnce = max(1, receivesAtOnce)
        self.behindAfter = behindAfter
        self.wallClock = now
        self.request = ChangeFeedRequest(subscriber: subscriber, named: queue)
        self.log = log
    }

    /// Follows a room: its syncs are driven by notifications while they work.
    public func add(_ sync: RoomSync) async {
        rooms[sync.roomID] = sync
        if state == .active { await sync.notificationsStarted() }
    }

    public func remove(_ roomID: String) async {
        await rooms.removeValue(forKey: roomID)?.notificationsStopped()
    }

    /// Tells `handler` of notifications for rooms not followed.
    public func onUnknownRoom(_ handler: @escaping @Sendable (String) -> Void) {
        unknownRoom = handler
    }

    /// Opens the feed and follows it in the background until ``stop()``.
    public func start() {
        guard task == nil else { return }
        task = Task { [weak self] in await self?.follow() }
    }

    /// Stops following; the rooms go back to polling.
    public func stop() async {
        task?.cancel()
        task = nil
        stopDraining()
        state = .stopped
        for room in rooms.values { await room.notificationsStopped() }
    }

    private func follow() async {
        let feed: any ChangeFeed
        do {
            feed = try await notifications.openFeed(request)
        } catch {
            giveUp("\(error.message)")
            return
        }
        guard !Task.isCancelled else { return }
        await activate()
        log("notifications on: \(notifications.description), through \(feed.description); rooms list every \(rooms.values.first.map { "\(Int($0.settings.notifiedListingInterval / .seconds(1))) s" } ?? "minute") as a safety net")
        var failures = 0
        var acknowledging: Task<StoreError?, Never>?
        while !Task.isCancelled {
            do {
                let asked = ContinuousClock.now
                let batch = try await feed.receive()
                guard !Task.isCancelled else { return }
                receives += 1
                if state != .active {
                    await activate()
                    log("notifications work again (\(feed.description)); rooms list once and follow them")
                }
                failures = 0
                try await handle(batch, from: feed, acknowledging: &acknowledging)
                // A feed that answers an empty receive at once (a server
                // without long polls) is asked at most once a second.
                if batch.messageCount == 0, ContinuousClock.now - asked < .seconds(1) {
                    try? await Task.sleep(for: .seconds(1))
                }
            } catch {
                acknowledging = nil
                guard !Task.isCancelled, state != .stopped else { return }
                stopDraining()
                switch error.code {
                case .accessDenied, .notFound, .noSuchBucket, .missingCredentials, .invalidLocation, .badResponse:
                    giveUp(error.message)
                    await deactivate()
                    return
                default:
                    failures += 1
                    if state == .active {
                        state = .retrying(error.message)
                        await deactivate()
                        log("notifications failing (\(error.message)); rooms poll until they work again")
                    }
                    try? await Task.sleep(for: .seconds(min(60, 1 << min(failures, 6))))
                }
            }
        }
    }

    /// Hands a batch's keys to the rooms, then acknowledges it while the
    /// loop receives again: one round trip per batch, not two. A loop has at
    /// most one acknowledgement in flight; its failure is the loop's, one
    /// batch later (the messages come again, and are no-ops then). A full
    /// batch means the queue holds more: another loop drains it alongside.
    private func handle(_ batch: ChangeBatch, from feed: any ChangeFeed,
                        acknowledging: inout Task<StoreError?, Never>?) async throws(StoreError) {
        await dispatch(batch)
        if let previous = acknowledging {
            acknowledging = nil
            if let failure = await previous.value { throw failure }
        }
        if !batch.receipts.isEmpty {
            acknowledging = Task {
                do throws(StoreError) {
                    try await feed.acknowledge(batch)
                    return nil
                } catch {
                    return error
                }
            }
        }
        if batch.filled { drainAlongside(feed) }
    }

    /// Starts one more receive loop, up to ``receivesAtOnce`` in all, while
    /// receives come back full: each receive is a round trip bringing at most
    /// a cloud's batch (SQS: 10), so one loop drains a backlog only as fast
    /// as round trips go.
    private func drainAlongside(_ feed: any ChangeFeed) {
        guard state == .active, !Task.isCancelled, drainers.count + 1 < receivesAtOnce else { return }
        let id = nextDrainer
        nextDrainer += 1
        drainers[id] = Task { [weak self] in await self?.drain(feed, id: id) }
    }

    /// An extra receive loop: ends at the first receive that is not full, or
    /// at a failure, which the first loop, receiving too, meets and handles.
    private func drain(_ feed: any ChangeFeed, id: Int) async {
        var acknowledging: Task<StoreError?, Never>?
        while !Task.isCancelled, state == .active {
            do {
                let batch = try await feed.receive()
                guard !Task.isCancelled, state == .active else { break }
                receives += 1
                try await handle(batch, from: feed, acknowledging: &acknowledging)
                if !batch.filled { break }
            } catch {
                break
            }
        }
        if let last = acknowledging { _ = await last.value }
        drainers[id] = nil
    }

    private func stopDraining() {
        for task in drainers.values { task.cancel() }
        drainers = [:]
    }

    /// Says once why notifications are not used, and leaves the rooms polling.
    private func giveUp(_ reason: String) {
        guard state != .stopped else { return }
        state = .polling(reason)
        log("warning: notifications are not used for \(notifications.description): \(reason) Rooms poll instead (set sync.notifications = \"off\" to stop trying).")
    }

    private func activate() async {
        state = .active
        for room in rooms.values { await room.notificationsStarted() }
    }

    private func deactivate() async {
        for room in rooms.values { await room.notificationsStopped() }
    }

    /// Hands each room the keys created in it; a message that could not be
    /// used makes every room list.
    func dispatch(_ batch: ChangeBatch) async {
        messages += batch.messageCount
        unusable += batch.unusable
        let behind = batch.oldestQueuedMs.map { wallClock() - $0 > Int64(behindAfter / .milliseconds(1)) } ?? false
        if behind { batchesBehind += 1 }
        var byRoom: [String: [ObjectInfo]] = [:]
        for info in batch.created {
            guard let roomID = Self.roomID(of: info.key) else { continue }
            byRoom[roomID, default: []].append(info)
        }
        for (roomID, infos) in byRoom {
            if let room = rooms[roomID] {
                hintedKeys += infos.count
                // Behind a backlog, a hint is seconds old and its successors
                // are not received yet: the room lists as polling would until
                // the feed catches up, so a backlog is never slower than polling.
                if behind { await room.catchUp() }
                await room.hint(infos)
            } else {
                unknownRoom?(roomID)
            }
        }
        if batch.unusable > 0 {
            for room in rooms.values { await room.requestListing() }
        }
    }

    /// The room a key is in, for keys a sync reads (`rooms/ID/…`, shared
    /// files' bytes excepted: a sync never fetches those).
    static func roomID(of key: String) -> String? {
        let parts = key.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count >= 3, parts[0] == "rooms", !parts[1].isEmpty, parts[2] != "attachments" else { return nil }
        return String(parts[1])
    }
}
