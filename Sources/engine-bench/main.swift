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
//   engine-bench open FOLDER ROOM
//       Opens a room from a local folder store twice: cold (empty cache), then
//       warm (objects from the cache). Prints time, events and peak memory.

/// Counts the requests a reader makes.
actor CountingStore: ObjectStore {
    let inner: any ObjectStore
    private(set) var lists = 0
    private(set) var gets = 0

    init(_ inner: any ObjectStore) {
        self.inner = inner
    }

    nonisolated var locationDescription: String { inner.locationDescription }

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

func peakMemoryMiB() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        return (Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
    }
    return 0
}

func latency(storeText: String, senders: Int, messages: Int) async throws {
    let store = try StoreLocation(parsing: storeText).open()
    let state = NSTemporaryDirectory() + "engine-bench-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: state) }
    func identity(_ i: Int) throws -> DeviceIdentity {
        DeviceIdentity(senderID: "user:bench\(i)", clientID: "bench\(i)_d", key: try SigningKey.generate())
    }
    let creator = try await RoomSession.create(name: "latency", joinRule: .public, identity: try identity(0), store: store,
                                               stateFolder: state + "/0")
    await creator.startUploading()
    try await creator.outbox.flush()
    let roomID = creator.roomID
    var sessions: [RoomSession] = [creator]
    for i in 1..<max(senders, 1) {
        let session = try RoomSession(roomID: roomID, identity: try identity(i), store: store, stateFolder: state + "/\(i)")
        await session.refresh()
        try await session.join()
        await session.startUploading()
        try await session.outbox.flush()
        sessions.append(session)
    }

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

func open(folder: String, roomID: String) async throws {
    let store = LocalFolderStore(root: folder)
    let cacheDir = URL(fileURLWithPath: NSTemporaryDirectory() + "engine-bench-cache-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: cacheDir) }
    for label in ["cold (empty cache)", "warm (objects from the cache)"] {
        let started = ContinuousClock.now
        let sync = RoomSync(store: store, roomID: roomID, cache: try ObjectCache(directory: cacheDir))
        _ = try await sync.sync()
        let elapsed = ContinuousClock.now - started
        let events = await sync.verification.accepted.count
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("\(label): \(events) events in \(String(format: "%.2f", seconds)) s (\(Int(Double(events) / seconds)) events/s), peak memory so far \(peakMemoryMiB()) MiB")
    }
}

let arguments = Array(CommandLine.arguments.dropFirst())
do {
    switch arguments.first {
    case "latency" where arguments.count >= 2:
        try await latency(storeText: arguments[1], senders: arguments.count > 2 ? Int(arguments[2]) ?? 10 : 10,
                          messages: arguments.count > 3 ? Int(arguments[3]) ?? 50 : 50)
    case "open" where arguments.count == 3:
        try await open(folder: arguments[1], roomID: arguments[2])
    default:
        FileHandle.standardError.write(Data("usage: engine-bench latency STORE [SENDERS] [MESSAGES] | engine-bench open FOLDER ROOM\n".utf8))
        exit(2)
    }
} catch {
    FileHandle.standardError.write(Data("engine-bench: \(error)\n".utf8))
    exit(1)
}
