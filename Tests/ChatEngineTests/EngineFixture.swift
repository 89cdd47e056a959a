@testable import ChatEngine
import ChatProtocol
import Foundation
import ObjectStore
import Testing

/// A room, a device key and a state folder for one test.
struct EngineFixture {
    let roomID: String
    let senderID = "user:alice"
    let clientID = "alice_laptop"
    let key: SigningKey
    let state: String

    init() throws {
        roomID = "room_" + UUID().uuidString.prefix(8).lowercased()
        key = try SigningKey.generate()
        state = NSTemporaryDirectory() + "bucketchat-engine-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
    }

    var journalPath: String { Journal.path(stateFolder: state, roomID: roomID, clientID: clientID) }

    func outbox(syncHook: (@Sendable () -> Void)? = nil, now: (@Sendable () -> Int64)? = nil) throws -> Outbox {
        if let now {
            return try Outbox(stateFolder: state, roomID: roomID, senderID: senderID, clientID: clientID, key: key, syncHook: syncHook, now: now)
        }
        return try Outbox(stateFolder: state, roomID: roomID, senderID: senderID, clientID: clientID, key: key, syncHook: syncHook)
    }

    /// Writes metadata.json and returns the content of the creator's join.
    func createRoom(in store: any ObjectStore) async throws -> JSONObject {
        let metadata = try RoomMetadata.signed(roomID: roomID, name: "test", createdAt: "2026-01-01T00:00:00Z", creator: senderID, key: key)
        _ = try await store.putIfAbsent(try ObjectKey(RoomObjectKey.metadataKey(roomID: roomID)), Data(metadata.bytes))
        return JSONObject([("membership", "join"), ("public_key", .string(key.publicKey.base64))])
    }

    static func message(_ text: String) -> JSONObject {
        JSONObject([("body", .string(text)), ("msgtype", "m.text")])
    }

    func remove() { try? FileManager.default.removeItem(atPath: state) }
}

/// Every object of a room in a store, with bytes.
func storedObjects(_ store: any ObjectStore, roomID: String) async throws -> [StoredObject] {
    var objects: [StoredObject] = []
    for info in try await store.list(prefix: RoomObjectKey.roomPrefix(roomID: roomID)) {
        objects.append(StoredObject(key: info.key, bytes: Array(try await store.get(ObjectKey(info.key)))))
    }
    return objects
}

/// The log objects only, as (key, bytes).
func logObjects(_ store: any ObjectStore, roomID: String) async throws -> [(key: String, bytes: [UInt8])] {
    try await storedObjects(store, roomID: roomID).filter { LogObjectName(key: $0.key) != nil }.map { ($0.key, $0.bytes) }
}

/// How many times each event id occurs across log objects (lines, not merged).
func eventIDCounts(_ logs: [(key: String, bytes: [UInt8])]) throws -> [String: Int] {
    var counts: [String: Int] = [:]
    for log in logs {
        for line in log.bytes.split(separator: 0x0A) {
            let event = try Event(json: JSONParser().parse(line))
            counts[event.eventID, default: 0] += 1
        }
    }
    return counts
}

/// Waits until `condition` holds, polling; false after `seconds`.
func eventually(seconds: Double, _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(10))
    }
    return try await condition()
}

/// A store that wraps another and records every put, and can be told to fail.
actor RecordingStore: ObjectStore {
    let inner: MemoryStore
    var puts: [(key: String, bytes: Int, at: ContinuousClock.Instant)] = []
    var failuresLeft = 0
    var failWith: StoreError.Code = .unreachable

    init(inner: MemoryStore = MemoryStore()) { self.inner = inner }

    nonisolated var locationDescription: String { "recording:" }

    func failNext(_ count: Int, with code: StoreError.Code = .unreachable) {
        failuresLeft = count
        failWith = code
    }

    func list(prefix: String, startAfter: String?) async throws(StoreError) -> [ObjectInfo] { try await inner.list(prefix: prefix, startAfter: startAfter) }
    func get(_ key: ObjectKey) async throws(StoreError) -> Data { try await inner.get(key) }
    func head(_ key: ObjectKey) async throws(StoreError) -> ObjectInfo? { await inner.head(key) }

    func putIfAbsent(_ key: ObjectKey, _ bytes: Data) async throws(StoreError) -> PutOutcome {
        if failuresLeft > 0 {
            failuresLeft -= 1
            throw StoreError(failWith, "test failure for \(key)")
        }
        let outcome = await inner.putIfAbsent(key, bytes)
        if outcome == .created, LogObjectName(key: key.rawValue) != nil { puts.append((key.rawValue, bytes.count, .now)) }
        return outcome
    }
}

/// Counts calls from any thread.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
