import ChatEngine
import ChatProtocol
import Foundation
import ObjectStore
import Stores

/// A store's notifications whose requests a ``CountingStore`` counts.
struct CountingNotifications: StoreNotifications {
    let inner: any StoreNotifications
    let counter: CountingStore

    var description: String { inner.description }

    func openFeed(_ request: ChangeFeedRequest) async throws(StoreError) -> any ChangeFeed {
        await counter.note("SETUP")
        return CountingFeed(inner: try await inner.openFeed(request), counter: counter)
    }
}

struct CountingFeed: ChangeFeed {
    let inner: any ChangeFeed
    let counter: CountingStore

    var description: String { inner.description }

    func receive() async throws(StoreError) -> ChangeBatch {
        await counter.note("RECEIVE")
        let start = ContinuousClock.now
        let batch = try await inner.receive()
        await counter.noticed(batch.created.map(\.key))
        // A long poll that waited for messages says nothing of the round trip.
        if batch.messageCount > 0 { await counter.time("RECEIVE", since: start) }
        return batch
    }

    func acknowledge(_ batch: ChangeBatch) async throws(StoreError) {
        // One DeleteMessageBatch per ten messages.
        await counter.note("DELETE", (batch.messageCount + 9) / 10)
        let start = ContinuousClock.now
        try await inner.acknowledge(batch)
        await counter.time("DELETE", since: start)
    }
}

/// What one mode of the notification benchmark measured.
struct NotifyFigures {
    var p50: Int64 = 0
    var p99: Int64 = 0
    var max: Int64 = 0
    var delivered = 0
    var busy: [String: Double] = [:]
    var idle: [String: Double] = [:]
}

/// The requests a counting store saw, by kind.
func requestCounts(_ counting: CountingStore) async -> [String: Int] {
    var out = await counting.feed
    out["LIST"] = await counting.lists
    out["GET"] = await counting.gets
    return out
}

func perMinute(_ after: [String: Int], _ before: [String: Int], seconds: Double) -> [String: Double] {
    var out: [String: Double] = [:]
    for (kind, count) in after { out[kind] = Double(count - (before[kind] ?? 0)) / seconds * 60 }
    return out
}

func describe(_ rates: [String: Double]) -> String {
    ["LIST", "GET", "RECEIVE", "DELETE", "SETUP"].compactMap { kind in
        rates[kind].map { "\(kind) \(String(format: "%.1f", $0))" }
    }.joined(separator: ", ")
}

func notifyLatency(storeText: String, senders: Int, messages: Int, idleSeconds: Int) async throws {
    let store = try StoreLocation(parsing: storeText).open()
    guard store.notifications != nil else { throw StoreError(.invalidLocation, "\(storeText) has no notifications (an s3:// store is needed)") }
    let state = NSTemporaryDirectory() + "engine-bench-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: state) }
    let sessions = try await benchSenders(room: "notify", count: senders, store: store, state: state)
    let roomID = sessions[0].roomID
    let perSender = max(1, messages / sessions.count)

    // As a mount polls (docs/sync.md); with notifications, the safety listing every 60 s.
    var settings = SyncSettings()
    settings.activeInterval = .milliseconds(250)
    settings.idleInterval = .seconds(1)
    settings.notifiedListingInterval = .seconds(60)

    func run(notify: Bool) async throws -> NotifyFigures {
        let tag = notify ? "notify" : "poll"
        let counting = CountingStore(store)
        let reader = RoomSync(store: counting, roomID: roomID, settings: settings)
        _ = try await reader.sync()
        var follower: NotificationFollower?
        if notify, let notifications = counting.notifications {
            let started = NotificationFollower(notifications: notifications, subscriber: "user:bench-reader/bench_reader",
                                               log: { print("  follower: \($0)") })
            await started.add(reader)
            await started.start()
            let deadline = Date().addingTimeInterval(20)
            while await started.state != .active && Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
            guard await started.state == .active else { throw StoreError(.io, "notifications did not start: \(await started.state)") }
            _ = try await reader.sync()  // the listing notifications start with
            follower = started
        }
        let deliveries = Deliveries()
        let follow = Task {
            await reader.run { update in
                guard case .event(let event, _) = update, case .message(let m) = event.event.content, m.body.hasPrefix("\(tag) ") else { return }
                await deliveries.record(nowMs() - event.event.timestampMs)
            }
        }
        let before = await requestCounts(counting)
        let started = Date()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (i, session) in sessions.enumerated() {
                group.addTask {
                    for j in 0..<perSender {
                        try await Task.sleep(for: .milliseconds(Int.random(in: 1000...2000)))
                        _ = try await session.send("\(tag) \(i) \(j)")
                    }
                }
            }
            try await group.waitForAll()
        }
        let expected = sessions.count * perSender
        let deadline = Date().addingTimeInterval(30)
        while await deliveries.latencies.count < expected && Date() < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        let busySeconds = Date().timeIntervalSince(started)
        let busyCounts = await requestCounts(counting)
        var figures = NotifyFigures()
        let sorted = await deliveries.latencies.sorted()
        figures.delivered = sorted.count
        figures.p50 = percentile(sorted, 0.5)
        figures.p99 = percentile(sorted, 0.99)
        figures.max = sorted.last ?? 0
        figures.busy = perMinute(busyCounts, before, seconds: busySeconds)
        print("\(notify ? "notifications" : "polling"): \(expected) messages from \(sessions.count) senders over \(String(format: "%.0f", busySeconds)) s, \(sorted.count) delivered")
        print("  delivery latency: p50 \(figures.p50) ms, p99 \(figures.p99) ms, max \(figures.max) ms")
        print("  reader requests per minute while chatting: \(describe(figures.busy))")
        if let follower {
            let ms = await counting.feedMs, timed = await counting.feedTimed
            let rounds = ["RECEIVE", "DELETE"].compactMap { kind in
                timed[kind].map { "\(kind) \(String(format: "%.0f", (ms[kind] ?? 0) / Double(max($0, 1)))) ms" }
            }.joined(separator: ", ")
            let received = await follower.messages, receives = await follower.receives
            print("  feed: \(received) message(s) in \(receives) receive(s); mean round trip of those that brought messages: \(rounds)")
        }
        if idleSeconds > 0 {
            try await Task.sleep(for: .seconds(idleSeconds))
            figures.idle = perMinute(await requestCounts(counting), busyCounts, seconds: Double(idleSeconds))
            print("  reader requests per minute idle (\(idleSeconds) s, one room): \(describe(figures.idle))")
        }
        follow.cancel()
        await follower?.stop()
        if sorted.count < expected { throw StoreError(.io, "only \(sorted.count) of \(expected) messages arrived (\(tag))") }
        return figures
    }

    let polling = try await run(notify: false)
    let notified = try await run(notify: true)
    for session in sessions { await session.stopUploading() }
    print("notify: p99 \(notified.p99) ms, LIST/min \(String(format: "%.1f", notified.busy["LIST"] ?? 0)); polling: p99 \(polling.p99) ms, LIST/min \(String(format: "%.1f", polling.busy["LIST"] ?? 0))")
}
