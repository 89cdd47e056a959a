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
    public private(set) var state: State = .starting
    /// Receives made, messages received, keys handed to rooms, unusable messages (benchmarks, tests).
    public private(set) var receives = 0
    public private(set) var messages = 0
    public private(set) var hintedKeys = 0
    public private(set) var unusable = 0
    /// Called with the id of a room a notification names that is not followed
    /// here (a room this device may have been invited to).
    private var unknownRoom: (@Sendable (String) -> Void)?

    /// - Parameters:
    ///   - subscriber: this device in this store (``ChangeFeedRequest/subscriber``).
    ///   - queue: a queue or subscription named in the settings.
    ///   - log: where the one warning and the state changes go.
    public init(notifications: any StoreNotifications, subscriber: String, queue: String? = nil,
                log: @escaping @Sendable (String) -> Void) {
        self.notifications = notifications
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
                await dispatch(batch)
                if !batch.receipts.isEmpty { try await feed.acknowledge(batch) }
                // A feed that answers an empty receive at once (a server
                // without long polls) is asked at most once a second.
                if batch.messageCount == 0, ContinuousClock.now - asked < .seconds(1) {
                    try? await Task.sleep(for: .seconds(1))
                }
            } catch {
                guard !Task.isCancelled, state != .stopped else { return }
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
        var byRoom: [String: [ObjectInfo]] = [:]
        for info in batch.created {
            guard let roomID = Self.roomID(of: info.key) else { continue }
            byRoom[roomID, default: []].append(info)
        }
        for (roomID, infos) in byRoom {
            if let room = rooms[roomID] {
                hintedKeys += infos.count
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
