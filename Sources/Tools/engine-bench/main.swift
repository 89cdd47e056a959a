import ChatEngine
import ChatProtocol
import Foundation
import ObjectStore
import Stores

// engine-bench: figures for the client engine.
//
//   engine-bench latency STORE [SENDERS] [MESSAGES]
//       SENDERS identities join a public room; each sends MESSAGES messages with
//       a random 1–2 s pause between them (people chatting); one reader follows
//       with default sync settings. Prints delivery latency (event timestamp to
//       delivery) p50/p90/p99/max and the reader's LIST and GET requests.
//   engine-bench notify-latency STORE [SENDERS] [MESSAGES] [IDLE_S]
//       The same chat (SENDERS people, MESSAGES messages in all, 1–2 s apart)
//       twice in one room: one reader polling as a mount does (250 ms while
//       active, 1 s idle), then one following the store's notifications
//       (listing every 60 s). Prints delivery p50/p99 and the reader's
//       requests per minute by kind while the chat runs and over IDLE_S
//       seconds of silence after it, then one line
//       `notify: p99 N ms, LIST/min M; polling: p99 N2 ms, LIST/min M2`.
//   engine-bench load-room STORE
//       Creates a public room for a load run; prints its id.
//   engine-bench load-send STORE ROOM SENDERS SECONDS IDS_FILE [MEAN_S]
//       SENDERS identities, each its own device key and outbox, join and send
//       a message every MEAN_S seconds on average (exponential gaps: bursts
//       happen) for SECONDS, then flush; writes every acknowledged id to IDS_FILE.
//   engine-bench load-read STORE ROOM SECONDS IDS_FILE [poll|notify]
//       Follows the room with default settings for SECONDS (or until IDS_FILE
//       exists and every id in it arrived), polling or (notify) woken by the
//       store's notifications, then prints lag p50/p99, requests per minute
//       by kind, its own CPU time and peak memory, and exactly-once counts.
//   engine-bench poll FOLDER ROOM
//       What one sync poll costs in a large room: verifies the room without the
//       newest object of each device, then adds those one at a time, as a live
//       reader receives them. Prints the time per added object (the short path
//       when it applies) and the time of one poll that needs a full run.
//   engine-bench overhead FOLDER ROOM [RUNS]
//       What verifying a room costs besides checking signatures: reads every
//       object into memory, verifies once (filling a signature memo), then
//       RUNS more times with every signature found in the memo. Prints each
//       run's time and peak memory.
//   engine-bench first-sync STORE ROOM [DELAY_MS]
//       A room's first sync from any store (S3, GCS, a folder): the time to
//       fetch every object alone, the first sync itself (which checks what it
//       has while it fetches the rest), and the signatures checked alone.
//       DELAY_MS makes every read wait that long first: a remote store's
//       round trip without a local server's CPU (moto shares the cores).
//   engine-bench open FOLDER ROOM [CACHE]
//       Opens a room from a local folder store: cold (empty cache), then the
//       same signatures checked alone (the limit), then warm from the ledger
//       snapshot in the same process, then (unless CACHE is given, which is
//       kept for open-warm) warm without the snapshot. Prints time, events
//       and peak memory.

/// Counts the requests a reader makes (notification requests too, by kind).
actor CountingStore: ObjectStore {
    let inner: any ObjectStore
    private(set) var lists = 0
    private(set) var gets = 0
    /// Notification requests by kind: RECEIVE (long polls), DELETE (batches of handled messages), SETUP.
    private(set) var feed: [String: Int] = [:]
    /// Time spent waiting for notification requests that brought messages, by kind (ms).
    private(set) var feedMs: [String: Double] = [:]
    private(set) var feedTimed: [String: Int] = [:]

    init(_ inner: any ObjectStore) {
        self.inner = inner
    }

    nonisolated var locationDescription: String { inner.locationDescription }

    nonisolated var notifications: (any StoreNotifications)? {
        inner.notifications.map { CountingNotifications(inner: $0, counter: self) }
    }

    func note(_ kind: String, _ count: Int = 1) { feed[kind, default: 0] += count }

    /// When a notice first named each key (milliseconds since the epoch), for traces.
    private(set) var noticedAt: [String: Int64] = [:]

    func noticed(_ keys: [String]) {
        let now = nowMs()
        for key in keys where noticedAt[key] == nil { noticedAt[key] = now }
    }

    func time(_ kind: String, since start: ContinuousClock.Instant) {
        feedMs[kind, default: 0] += Double((ContinuousClock.now - start) / .microseconds(1)) / 1000
        feedTimed[kind, default: 0] += 1
    }

    func list(prefix: String, startAfter: String?) async throws(StoreError) -> [ObjectInfo] {
        lists += 1
        return try await inner.list(prefix: prefix, startAfter: startAfter)
    }

    func get(_ key: ObjectKey) async throws(StoreError) -> Data {
        gets += 1
        return try await inner.get(key)
    }

    func head(_ key: ObjectKey) async throws(StoreError) -> ObjectInfo? { try await inner.head(key) }

    func putIfAbsent(_ key: ObjectKey, _ bytes: Data) async throws(StoreError) -> PutOutcome { try await inner.putIfAbsent(key, bytes) }
}

/// Delivery times of the messages the reader has seen, by body.
actor Deliveries {
    private(set) var latencies: [Int64] = []

    func record(_ ms: Int64) { latencies.append(ms) }
}

func percentile(_ sorted: [Int64], _ p: Double) -> Int64 {
    guard !sorted.isEmpty else { return 0 }
    return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p + 0.5))]
}

func nowMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

/// This process's CPU time so far, user and system.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

func peakMemoryMiB() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        return (Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
    }
    return 0
}

/// A public room named `room` and `count` people in it (at least its
/// creator), each with a device key, a journal under `state` and an
/// uploader running; every join is in the store when this returns.
func benchSenders(room: String, count: Int, store: any ObjectStore, state: String) async throws -> [RoomSession] {
    func identity(_ i: Int) throws -> DeviceIdentity {
        DeviceIdentity(senderID: "user:bench\(i)", clientID: "bench\(i)_d", key: try SigningKey.generate())
    }
    let creator = try await RoomSession.create(name: room, joinRule: .public, identity: try identity(0), store: store,
                                               stateFolder: state + "/0")
    await creator.startUploading()
    try await creator.outbox.flush()
    var sessions: [RoomSession] = [creator]
    for i in 1..<max(count, 1) {
        let session = try RoomSession(roomID: creator.roomID, identity: try identity(i), store: store, stateFolder: state + "/\(i)")
        await session.refresh()
        try await session.join()
        await session.startUploading()
        try await session.outbox.flush()
        sessions.append(session)
    }
    return sessions
}

func latency(storeText: String, senders: Int, messages: Int) async throws {
    let store = try StoreLocation(parsing: storeText).open()
    let state = NSTemporaryDirectory() + "engine-bench-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: state) }
    let sessions = try await benchSenders(room: "latency", count: senders, store: store, state: state)
    let roomID = sessions[0].roomID

    let counting = CountingStore(store)
    let reader = RoomSync(store: counting, roomID: roomID)
    _ = try await reader.sync()
    let deliveries = Deliveries()
    let expected = sessions.count * messages
    let follow = Task {
        await reader.run { update in
            guard case .event(let event, _) = update, case .message(let m) = event.event.content, m.body.hasPrefix("bench ") else { return }
            await deliveries.record(nowMs() - event.event.timestampMs)
        }
    }
    let started = Date()
    try await withThrowingTaskGroup(of: Void.self) { group in
        for (i, session) in sessions.enumerated() {
            group.addTask {
                for j in 0..<messages {
                    try await Task.sleep(for: .milliseconds(Int.random(in: 1000...2000)))
                    _ = try await session.send("bench \(i) \(j)")
                }
            }
        }
        try await group.waitForAll()
    }
    let deadline = Date().addingTimeInterval(30)
    while await deliveries.latencies.count < expected && Date() < deadline {
        try await Task.sleep(for: .milliseconds(100))
    }
    follow.cancel()
    let elapsed = Date().timeIntervalSince(started)
    let sorted = await deliveries.latencies.sorted()
    let lists = await counting.lists, gets = await counting.gets
    print("store: \(storeText)")
    print("senders: \(sessions.count), messages: \(expected) sent over \(String(format: "%.0f", elapsed)) s, \(sorted.count) delivered to the reader")
    print("delivery latency: p50 \(percentile(sorted, 0.5)) ms, p90 \(percentile(sorted, 0.9)) ms, p99 \(percentile(sorted, 0.99)) ms, max \(sorted.last ?? 0) ms")
    print("reader requests: \(lists) LIST (\(String(format: "%.0f", Double(lists) / elapsed * 60))/min), \(gets) GET (\(String(format: "%.0f", Double(gets) / elapsed * 60))/min)")
    for session in sessions { await session.stopUploading() }
    if sorted.count < expected { throw StoreError(.io, "only \(sorted.count) of \(expected) messages arrived") }
}

func open(folder: String, roomID: String, keeping kept: String?) async throws {
    let store = LocalFolderStore(root: folder)
    let cacheDir = URL(fileURLWithPath: kept ?? (NSTemporaryDirectory() + "engine-bench-cache-\(UUID().uuidString)"))
    try? FileManager.default.removeItem(at: cacheDir)
    defer { if kept == nil { try? FileManager.default.removeItem(at: cacheDir) } }
    func seconds(_ elapsed: Duration) -> Double {
        Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
    func timedOpen(_ label: String) async throws -> RoomSync {
        let started = ContinuousClock.now
        let sync = RoomSync(store: store, roomID: roomID, cache: try ObjectCache(directory: cacheDir))
        let updates = try await sync.sync()
        let elapsed = seconds(ContinuousClock.now - started)
        defer { withExtendedLifetime(updates) {} }
        let events = await sync.verification.accepted.count
        let delivered = updates.filter { if case .event = $0 { return true } else { return false } }.count
        print("\(label): \(events) events (\(delivered) delivered) in \(String(format: "%.2f", elapsed)) s (\(Int(Double(events) / elapsed)) events/s), peak memory so far \(peakMemoryMiB()) MiB")
        return sync
    }
    let cold = try await timedOpen("cold (empty cache)")
    let writing = ContinuousClock.now
    await cold.snapshotWritten()
    let snapshot = cacheDir.appendingPathComponent("snapshots/\(roomID).ledger").path
    let size = (try? FileManager.default.attributesOfItem(atPath: snapshot)[.size] as? Int) ?? 0
    print("snapshot written in the background, \(size / 1_048_576) MiB; waited \(String(format: "%.2f", seconds(ContinuousClock.now - writing))) s after the open for it")
    await signaturesAlone(await cold.verification)
    _ = try await timedOpen("warm (ledger snapshot), same process")
    guard kept == nil else { return }
    try FileManager.default.removeItem(atPath: snapshot)
    _ = try await timedOpen("warm without the snapshot (signatures from the memo)")
}

/// The limit a cold open is measured against: libsodium checking the same
/// signatures over the same signed bytes on every core, nothing else (the
/// bytes, signatures and keys are gathered first, outside the time).
func signaturesAlone(_ verification: RoomVerification) async {
    let work: [(key: PublicKey, signature: [UInt8], bytes: [UInt8])] = verification.accepted.compactMap { accepted in
        guard let key = accepted.signer, let signature = Base64.decode(accepted.event.signature) else { return nil }
        return (key, signature, accepted.event.canonicalBytes)
    }
    let started = ContinuousClock.now
    let chunks = ProcessInfo.processInfo.activeProcessorCount * 8
    let failed = Parallel.map(count: chunks) { chunk in
        stride(from: chunk, to: work.count, by: chunks).filter { !work[$0].key.verify(signature: work[$0].signature, of: work[$0].bytes) }.count
    }.reduce(0, +)
    let elapsed = Double(milliseconds(since: started)) / 1000
    print("signatures alone (libsodium on \(ProcessInfo.processInfo.activeProcessorCount) cores, the limit): \(work.count) in \(String(format: "%.2f", elapsed)) s (\(Int(Double(work.count) / elapsed)) events/s)\(failed > 0 ? ", \(failed) FAILED" : "")")
}

/// A store whose reads wait a while first, as a remote store's do.
struct DelayedStore: ObjectStore {
    let inner: any ObjectStore
    let delay: Duration

    var locationDescription: String { inner.locationDescription }

    func list(prefix: String, startAfter: String?) async throws(StoreError) -> [ObjectInfo] {
        try await inner.list(prefix: prefix, startAfter: startAfter)
    }

    func get(_ key: ObjectKey) async throws(StoreError) -> Data {
        try? await Task.sleep(for: delay)
        return try await inner.get(key)
    }

    func bytes(_ key: ObjectKey) async throws(StoreError) -> [UInt8] {
        try? await Task.sleep(for: delay)
        return try await inner.bytes(key)
    }

    func head(_ key: ObjectKey) async throws(StoreError) -> ObjectInfo? { try await inner.head(key) }

    func putIfAbsent(_ key: ObjectKey, _ bytes: Data) async throws(StoreError) -> PutOutcome { try await inner.putIfAbsent(key, bytes) }
}

func firstSync(storeText: String, roomID: String, delayMs: Int) async throws {
    let opened = try StoreLocation(parsing: storeText).open()
    let store: any ObjectStore = delayMs > 0 ? DelayedStore(inner: opened, delay: .milliseconds(delayMs)) : opened
    if delayMs > 0 { print("every read waits \(delayMs) ms first") }
    var started = ContinuousClock.now
    let infos = try await store.list(prefix: RoomObjectKey.roomPrefix(roomID: roomID))
    let bytes = try await withThrowingTaskGroup(of: Int.self) { group in
        var next = 0, total = 0
        func launch() {
            let key = infos[next].key
            next += 1
            group.addTask { try await store.bytes(try ObjectKey(key)).count }
        }
        while next < min(16, infos.count) { launch() }
        while let count = try await group.next() {
            total += count
            if next < infos.count { launch() }
        }
        return total
    }
    print("fetching alone: \(infos.count) objects, \(bytes / 1_048_576) MiB in \(milliseconds(since: started)) ms (16 at once)")
    let cacheDir = URL(fileURLWithPath: NSTemporaryDirectory() + "engine-bench-cache-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: cacheDir) }
    started = ContinuousClock.now
    let sync = RoomSync(store: store, roomID: roomID, cache: try ObjectCache(directory: cacheDir))
    let updates = try await sync.sync()
    let elapsed = milliseconds(since: started)
    withExtendedLifetime(updates) {}
    let events = await sync.verification.accepted.count
    print("first sync (fetching and checking at once): \(events) events in \(elapsed) ms (\(Int(Double(events) / (Double(elapsed) / 1000))) events/s), peak memory \(peakMemoryMiB()) MiB")
    await sync.snapshotWritten()
    await signaturesAlone(await sync.verification)
}

/// Opens a room with a cache folder that outlives the run: the first run
/// fills it, later ones open warm (for profiling the warm open alone).
func openWarm(folder: String, roomID: String, cache: String) async throws {
    let started = ContinuousClock.now
    let sync = RoomSync(store: LocalFolderStore(root: folder), roomID: roomID, cache: try ObjectCache(directory: URL(fileURLWithPath: cache)))
    let updates = try await sync.sync()
    let opened = milliseconds(since: started)
    // Freeing the updates is the consumer's business, after the open.
    withExtendedLifetime(updates) {}
    await sync.snapshotWritten()
    print("\(await sync.verification.accepted.count) events in \(opened) ms, peak memory \(peakMemoryMiB()) MiB")
}

func overhead(folder: String, roomID: String, runs: Int) async throws {
    let store = LocalFolderStore(root: folder)
    var objects: [StoredObject] = []
    for info in try await store.list(prefix: RoomObjectKey.roomPrefix(roomID: roomID)) {
        objects.append(StoredObject(key: info.key, bytes: Array(try await store.get(try ObjectKey(info.key)))))
    }
    let verifier = RoomVerifier(memo: SignatureMemo())
    var started = ContinuousClock.now
    var events = verifier.verify(roomID: roomID, objects: objects).accepted.count
    print("with signatures checked: \(events) events in \(milliseconds(since: started)) ms")
    for run in 1...max(1, runs) {
        started = ContinuousClock.now
        events = verifier.verify(roomID: roomID, objects: objects).accepted.count
        print("run \(run), signatures from the memo: \(events) events in \(milliseconds(since: started)) ms, peak memory \(peakMemoryMiB()) MiB")
    }
}

func poll(folder: String, roomID: String) async throws {
    let store = LocalFolderStore(root: folder)
    var objects: [StoredObject] = []
    for info in try await store.list(prefix: RoomObjectKey.roomPrefix(roomID: roomID)) {
        objects.append(StoredObject(key: info.key, bytes: Array(try await store.get(try ObjectKey(info.key)))))
    }
    var newest: [String: StoredObject] = [:]
    for object in objects {
        guard let name = LogObjectName(key: object.key) else { continue }
        if let held = newest[name.clientID], let heldName = LogObjectName(key: held.key), heldName.startTs >= name.startTs { continue }
        newest[name.clientID] = object
    }
    let heldKeys = Set(newest.values.map(\.key))
    let held = newest.values.sorted { (LogObjectName(key: $0.key)?.startTs ?? 0) < (LogObjectName(key: $1.key)?.startTs ?? 0) }
    var ledger = RoomLedger(roomID: roomID)
    let opened = ContinuousClock.now
    ledger.ingest(objects.filter { !heldKeys.contains($0.key) })
    print("verified \(ledger.verification.accepted.count) events in \(milliseconds(since: opened)) ms, peak memory \(peakMemoryMiB()) MiB")
    var times: [Int64] = []
    var short = 0
    for object in held {
        let started = ContinuousClock.now
        ledger.ingest([object])
        times.append(milliseconds(since: started))
        if ledger.newlyAccepted != nil { short += 1 }
    }
    let sorted = times.sorted()
    print("added \(held.count) objects one at a time (\(short) by the short path): p50 \(percentile(sorted, 0.5)) ms, max \(sorted.last ?? 0) ms per object; now \(ledger.verification.accepted.count) events")
    if let again = held.last {
        let started = ContinuousClock.now
        ledger.ingest([again])
        print("a poll that needs a full run (an object replaced): \(milliseconds(since: started)) ms")
    }
}

func milliseconds(since start: ContinuousClock.Instant) -> Int64 {
    let elapsed = ContinuousClock.now - start
    return elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
}

func loadRoom(storeText: String) async throws {
    let store = try StoreLocation(parsing: storeText).open()
    let state = NSTemporaryDirectory() + "engine-bench-load-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: state) }
    let creator = DeviceIdentity(senderID: "user:load0", clientID: "load0", key: try SigningKey.generate())
    let session = try await RoomSession.create(name: "load", joinRule: .public, identity: creator, store: store, stateFolder: state)
    await session.startUploading()
    try await session.outbox.flush()
    await session.stopUploading()
    print(session.roomID)
}

func loadSend(storeText: String, roomID: String, senders: Int, seconds: Double, idsFile: String, mean: Double) async throws {
    let store = try StoreLocation(parsing: storeText).open()
    let state = NSTemporaryDirectory() + "engine-bench-senders-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: state) }
    var outboxes: [Outbox] = []
    var uploaders: [Task<Void, Never>] = []
    for i in 1...senders {
        let key = try SigningKey.generate()
        let outbox = try Outbox(stateFolder: state, roomID: roomID, senderID: "user:load\(i)", clientID: "load\(i)", key: key)
        _ = try await outbox.send(type: EventType.member, content: JSONObject([
            ("membership", "join"), ("public_key", .string(key.publicKey.base64)), ("device_id", .string("load\(i)"))]))
        outboxes.append(outbox)
        let uploader = Uploader(outbox: outbox, store: store)
        uploaders.append(Task { await uploader.run() })
    }
    for outbox in outboxes { try await outbox.flush() }
    let started = Date()
    let ids = try await withThrowingTaskGroup(of: [String].self) { group in
        for (i, outbox) in outboxes.enumerated() {
            group.addTask {
                var sent: [String] = []
                var j = 0
                while true {
                    // Exponential gaps with the given mean: people chat in bursts.
                    let gap = -log(Double.random(in: 0.0001...1)) * mean
                    try await Task.sleep(for: .milliseconds(Int(gap * 1000)))
                    if Date().timeIntervalSince(started) >= seconds { return sent }
                    sent.append(try await outbox.send(type: EventType.message, content: MessageContent(body: "load \(i) \(j)").json).eventID)
                    j += 1
                }
            }
        }
        var all: [String] = []
        for try await part in group { all += part }
        return all
    }
    for outbox in outboxes { try await outbox.flush() }
    for task in uploaders { task.cancel() }
    try (ids.joined(separator: "\n") + "\n").write(toFile: idsFile + ".tmp", atomically: true, encoding: .utf8)
    try FileManager.default.moveItem(atPath: idsFile + ".tmp", toPath: idsFile)
    print("senders: \(senders), messages sent and uploaded: \(ids.count) over \(String(format: "%.0f", seconds)) s")
}

func loadRead(storeText: String, roomID: String, seconds: Double, idsFile: String, notify: Bool) async throws {
    let counting = CountingStore(try StoreLocation(parsing: storeText).open())
    let sync = RoomSync(store: counting, roomID: roomID)
    var follower: NotificationFollower?
    if notify {
        guard let notifications = counting.notifications else { throw StoreError(.invalidLocation, "\(storeText) has no notifications") }
        let started = NotificationFollower(notifications: notifications, subscriber: "user:load-reader/load_reader",
                                           log: { FileHandle.standardError.write(Data("follower: \($0)\n".utf8)) })
        await started.add(sync)
        await started.start()
        follower = started
    }
    var lags: [Int64] = []
    var seen: [String: Int] = [:]
    // BUCKETCHAT_BENCH_TRACE=FILE: one line per message, `object-key event-ms noticed-ms delivered-ms`
    // (noticed: when a notification first named the object, 0 if none did).
    var trace: [(key: String, eventMs: Int64, deliveredMs: Int64)] = []
    // And FILE.syncs: one line per sync, `start-ms duration-ms process-cpu-ms updates listings`.
    var syncs: [(Int64, Int64, Int, Int, Int)] = []
    let started = Date()
    var expected: Set<String>?
    while Date().timeIntervalSince(started) < seconds {
        do {
            let syncStart = nowMs(), cpuStart = cpuSeconds(), listedBefore = await sync.listings
            let updates = try await sync.sync()
            syncs.append((syncStart, nowMs() - syncStart, Int((cpuSeconds() - cpuStart) * 1000), updates.count, await sync.listings - listedBefore))
            for update in updates {
                guard case .event(let event, _) = update, case .message(let m) = event.event.content, m.body.hasPrefix("load ") else { continue }
                let delivered = nowMs()
                lags.append(delivered - event.event.timestampMs)
                seen[event.event.eventID, default: 0] += 1
                trace.append((event.objectKey, event.event.timestampMs, delivered))
            }
        } catch {
            FileHandle.standardError.write(Data("engine-bench: sync failed: \(error)\n".utf8))
        }
        if expected == nil, let text = try? String(contentsOfFile: idsFile, encoding: .utf8) {
            expected = Set(text.split(separator: "\n").map(String.init))
        }
        if let expected, expected.isSubset(of: Set(seen.keys)) { break }
        await sync.waitForWork(upTo: await sync.currentInterval)
    }
    await follower?.stop()
    if let path = ProcessInfo.processInfo.environment["BUCKETCHAT_BENCH_TRACE"] {
        let noticed = await counting.noticedAt
        let lines = trace.map { "\($0.key) \($0.eventMs) \(noticed[$0.key] ?? 0) \($0.deliveredMs)\n" }
        try lines.joined().write(toFile: path, atomically: true, encoding: .utf8)
        try syncs.map { "\($0.0) \($0.1) \($0.2) \($0.3) \($0.4)\n" }.joined().write(toFile: path + ".syncs", atomically: true, encoding: .utf8)
    }
    let elapsed = Date().timeIntervalSince(started)
    let cpu = cpuSeconds()
    let sorted = lags.sorted()
    let lists = await counting.lists, gets = await counting.gets
    let wanted = expected ?? []
    let missing = wanted.subtracting(seen.keys).count
    let duplicates = seen.values.filter { $0 > 1 }.count
    print("reader: \(seen.count) messages delivered, \(wanted.count) acknowledged by senders, \(missing) missing, \(duplicates) delivered twice")
    print("delivery lag: p50 \(percentile(sorted, 0.5)) ms, p99 \(percentile(sorted, 0.99)) ms, max \(sorted.last ?? 0) ms")
    let feed = await counting.feed
    let feedRates = ["RECEIVE", "DELETE"].compactMap { kind in
        feed[kind].map { ", \(String(format: "%.0f", Double($0) / elapsed * 60)) \(kind)/min" }
    }.joined()
    print("reader requests: \(String(format: "%.0f", Double(lists) / elapsed * 60)) LIST/min, \(String(format: "%.0f", Double(gets) / elapsed * 60)) GET/min\(feedRates) over \(String(format: "%.0f", elapsed)) s (\(notify ? "notifications" : "polling"))")
    print("reader CPU: \(String(format: "%.1f", cpu)) s over \(String(format: "%.0f", elapsed)) s (\(String(format: "%.0f", cpu / elapsed * 100))% of one core), peak memory \(peakMemoryMiB()) MiB")
    if missing > 0 || duplicates > 0 { throw StoreError(.io, "not every message arrived exactly once") }
}

HeapTuning.apply()
let arguments = Array(CommandLine.arguments.dropFirst())
do {
    switch arguments.first {
    case "load-room" where arguments.count == 2:
        try await loadRoom(storeText: arguments[1])
    case "load-send" where arguments.count >= 6:
        try await loadSend(storeText: arguments[1], roomID: arguments[2], senders: Int(arguments[3]) ?? 100,
                           seconds: Double(arguments[4]) ?? 60, idsFile: arguments[5],
                           mean: arguments.count > 6 ? Double(arguments[6]) ?? 10 : 10)
    case "load-read" where arguments.count == 5 || arguments.count == 6:
        try await loadRead(storeText: arguments[1], roomID: arguments[2], seconds: Double(arguments[3]) ?? 120, idsFile: arguments[4],
                           notify: arguments.count == 6 && arguments[5] == "notify")
    case "latency" where arguments.count >= 2:
        try await latency(storeText: arguments[1], senders: arguments.count > 2 ? Int(arguments[2]) ?? 10 : 10,
                          messages: arguments.count > 3 ? Int(arguments[3]) ?? 50 : 50)
    case "notify-latency" where arguments.count >= 2:
        try await notifyLatency(storeText: arguments[1], senders: arguments.count > 2 ? Int(arguments[2]) ?? 10 : 10,
                                messages: arguments.count > 3 ? Int(arguments[3]) ?? 500 : 500,
                                idleSeconds: arguments.count > 4 ? Int(arguments[4]) ?? 60 : 60)
    case "poll" where arguments.count == 3:
        try await poll(folder: arguments[1], roomID: arguments[2])
    case "overhead" where arguments.count == 3 || arguments.count == 4:
        try await overhead(folder: arguments[1], roomID: arguments[2], runs: arguments.count == 4 ? Int(arguments[3]) ?? 3 : 3)
    case "first-sync" where arguments.count == 3 || arguments.count == 4:
        try await firstSync(storeText: arguments[1], roomID: arguments[2], delayMs: arguments.count == 4 ? Int(arguments[3]) ?? 0 : 0)
    case "open" where arguments.count == 3 || arguments.count == 4:
        try await open(folder: arguments[1], roomID: arguments[2], keeping: arguments.count == 4 ? arguments[3] : nil)
    case "open-warm" where arguments.count == 4:
        try await openWarm(folder: arguments[1], roomID: arguments[2], cache: arguments[3])
    default:
        FileHandle.standardError.write(Data("usage: engine-bench latency STORE [SENDERS] [MESSAGES] | notify-latency STORE [SENDERS] [MESSAGES] [IDLE_S] | overhead FOLDER ROOM [RUNS] | first-sync STORE ROOM [DELAY_MS] | open FOLDER ROOM [CACHE] | open-warm FOLDER ROOM CACHE | poll FOLDER ROOM | load-room STORE | load-send STORE ROOM SENDERS SECONDS IDS_FILE [MEAN_S] | load-read STORE ROOM SECONDS IDS_FILE [poll|notify]\n".utf8))
        exit(2)
    }
} catch {
    FileHandle.standardError.write(Data("engine-bench: \(error)\n".utf8))
    exit(1)
}
