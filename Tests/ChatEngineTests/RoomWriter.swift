import ChatProtocol
import Foundation
import ObjectStore

/// Writes a room into a store the way devices do, for sync tests.
struct RoomWriter {
    let roomID: String
    let store: any ObjectStore
    var devices: [String: DeviceChain] = [:]
    var now: Int64 = Int64(Date().timeIntervalSince1970 * 1000) - 60_000

    static func key(_ n: UInt8) throws -> SigningKey { try SigningKey(seed: [UInt8](repeating: n, count: 32)) }

    /// Creates the room: metadata, then alice's join on device alice_a1.
    init(roomID: String, store: any ObjectStore) async throws {
        self.roomID = roomID
        self.store = store
        let alice = try RoomWriter.key(1)
        let metadata = try RoomMetadata.signed(roomID: roomID, name: "Sync", createdAt: "2025-01-01T00:00:00Z",
                                               creator: "user:alice", key: alice)
        _ = try await store.putIfAbsent(ObjectKey(RoomObjectKey.metadataKey(roomID: roomID)), Data(metadata.bytes))
        devices["alice_a1"] = DeviceChain(roomID: roomID, senderID: "user:alice", key: alice)
        try await upload("alice_a1", [join("alice_a1")])
    }

    mutating func sign(_ client: String, _ type: String, _ content: JSONObject) throws -> Event {
        now += 10
        guard var chain = devices[client] else { throw StoreError(.notFound, "no device \(client)") }
        let event = try chain.sign(type: type, content: content, nowMs: now)
        devices[client] = chain
        return event
    }

    mutating func join(_ client: String) throws -> Event {
        guard let chain = devices[client] else { throw StoreError(.notFound, "no device \(client)") }
        return try sign(client, EventType.member, JSONObject([("membership", "join"), ("public_key", .string(chain.key.publicKey.base64))]))
    }

    mutating func say(_ client: String, _ body: String) throws -> Event {
        try sign(client, EventType.message, MessageContent(body: body).json)
    }

    @discardableResult
    func upload(_ client: String, _ events: [Event]) async throws -> String {
        let file = try LogFile.encode(events, roomID: roomID, clientID: client)
        _ = try await store.putIfAbsent(ObjectKey(file.name.key), Data(file.bytes))
        return file.name.key
    }

    /// Adds bob (invited by alice) on device bob_b1.
    mutating func addBob() async throws {
        devices["bob_b1"] = DeviceChain(roomID: roomID, senderID: "user:bob", key: try RoomWriter.key(2))
        try await upload("alice_a1", [sign("alice_a1", EventType.member, JSONObject([("membership", "invite"), ("user_id", "user:bob")]))])
        try await upload("bob_b1", [join("bob_b1")])
    }
}
