import ChatProtocol
import Foundation
import ObjectStore

/// A room written straight into a store, bypassing the client: its events
/// are signed by the test with whatever sender ids, names and bodies a
/// hostile member could choose, and uploaded as log objects.
///
/// The room is public, created by `user:alice`, who invites `user:bob` (the
/// identity the test mounts) so bob's mount discovers it.
struct HostileRoom {
    let roomID: String
    let store: any ObjectStore
    var chains: [String: DeviceChain] = [:]
    var now: Int64 = Int64(Date().timeIntervalSince1970 * 1000) - 600_000

    static func key(_ n: UInt8) throws -> SigningKey { try SigningKey(seed: [UInt8](repeating: n, count: 32)) }

    init(roomID: String, store: any ObjectStore) async throws {
        self.roomID = roomID
        self.store = store
        let alice = try HostileRoom.key(1)
        let metadata = try RoomMetadata.signed(roomID: roomID, name: "Hostile", createdAt: "2025-01-01T00:00:00Z",
                                               creator: "user:alice", key: alice, joinRule: .public)
        _ = try await store.putIfAbsent(ObjectKey(RoomObjectKey.metadataKey(roomID: roomID)), Data(metadata.bytes))
        chains["alice"] = DeviceChain(roomID: roomID, senderID: "user:alice", key: alice)
        let join = try sign("alice", EventType.member, ["membership": "join", "public_key": .string(alice.publicKey.base64)])
        let invite = try sign("alice", EventType.member, ["membership": "invite", "user_id": "user:bob"])
        try await upload("alice", [join, invite])
    }

    /// Adds a member with its own key, joined under `senderID` with `displayName`.
    mutating func member(_ device: String, senderID: String, keySeed: UInt8, displayName: String?) async throws {
        let key = try HostileRoom.key(keySeed)
        chains[device] = DeviceChain(roomID: roomID, senderID: senderID, key: key)
        var content = JSONObject([("membership", "join"), ("public_key", .string(key.publicKey.base64))])
        if let displayName { content["displayname"] = .string(displayName) }
        try await upload(device, [sign(device, EventType.member, .object(content))])
    }

    mutating func sign(_ device: String, _ type: String, _ content: JSONValue, parent: String? = nil) throws -> Event {
        now += 1
        guard var chain = chains[device] else { throw StoreError(.notFound, "no device \(device)") }
        let event = try chain.sign(type: type, content: content.objectValue ?? JSONObject(), parentEventID: parent, nowMs: now)
        chains[device] = chain
        return event
    }

    /// Uploads events as one log object of `device`.
    func upload(_ device: String, _ events: [Event]) async throws {
        let file = try LogFile.encode(events, roomID: roomID, clientID: "\(device)_dev")
        _ = try await store.putIfAbsent(ObjectKey(file.name.key), Data(file.bytes))
    }

    /// Uploads raw lines no client would sign (bad schema): readers must
    /// reject them and say so in `alerts`.
    mutating func uploadRaw(_ device: String, _ lines: [String]) async throws {
        now += 1
        let file = try LogFile.encode(lines: lines.map { Array($0.utf8) }, timestamps: lines.map { _ in now },
                                      roomID: roomID, clientID: "\(device)_dev")
        _ = try await store.putIfAbsent(ObjectKey(file.name.key), Data(file.bytes))
    }
}
