import ChatEngine
import ChatProtocol
import Foundation
import ObjectStore
import Testing

/// No event is journaled for a room that has no valid `metadata.json` in the
/// store (nor waiting here to be uploaded): it would land in a folder no
/// reader can trust.
@Suite struct RoomExistenceTests {
    func temporary() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bucketchat-existence-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    func identity(_ name: String, seed: UInt8) throws -> DeviceIdentity {
        DeviceIdentity(senderID: "user:\(name)", clientID: "\(name)_d1", key: try SigningKey(seed: [UInt8](repeating: seed, count: 32)))
    }

    @Test func aRoomWithoutMetadataTakesNoEvent() async throws {
        let root = try temporary()
        defer { try? FileManager.default.removeItem(at: root) }
        let store = MemoryStore()
        let session = try RoomSession(roomID: "room_typo123", identity: try identity("alice", seed: 1), store: store,
                                      stateFolder: root.path)
        for action in [RoomAction.join(displayName: nil), .setName("x")] {
            await #expect(throws: EngineError.self) { try await session.act(action) }
        }
        do {
            try await session.send("hello?")
            Issue.record("a message was journaled for a room that does not exist")
        } catch {
            #expect(error.code == .notFound)
            #expect(error.message.contains("Room room_typo123 has no valid metadata.json"))
        }
        #expect(await session.outbox.journaledCount == 0)
        #expect(try await store.list(prefix: "").isEmpty)
    }

    @Test func aRoomWithInvalidMetadataTakesNoEvent() async throws {
        let root = try temporary()
        defer { try? FileManager.default.removeItem(at: root) }
        let store = MemoryStore()
        _ = await store.putIfAbsent(try ObjectKey(RoomObjectKey.metadataKey(roomID: "room_broken01")), Data("{\"room_id\":".utf8))
        let session = try RoomSession(roomID: "room_broken01", identity: try identity("alice", seed: 1), store: store, stateFolder: root.path)
        await #expect(throws: EngineError.self) { try await session.join() }
        #expect(await session.outbox.journaledCount == 0)
    }

    @Test func aRoomCreatedOfflineTakesEventsBeforeItsMetadataIsUp() async throws {
        let root = try temporary()
        defer { try? FileManager.default.removeItem(at: root) }
        let store = MemoryStore()
        let session = try await RoomSession.createWithoutWaiting(name: "Train", identity: try identity("alice", seed: 1), store: store,
                                                                 stateFolder: root.path)
        _ = try await session.send("written before the metadata is up")
        #expect(await session.outbox.journaledCount == 2)
    }

    @Test func theDirectoryResolvesIdsAndNamesAndSuggestsCloseOnes() async throws {
        let root = try temporary()
        defer { try? FileManager.default.removeItem(at: root) }
        let store = MemoryStore()
        let alice = try identity("alice", seed: 1)
        let lunch = try await RoomSession.create(name: "Lunch", identity: alice, store: store, stateFolder: root.path)
        let dinner = try await RoomSession.create(name: "Dinner", identity: alice, store: store, stateFolder: root.path)
        let directory = RoomDirectory(store: store, stateFolder: root.path, cache: nil)
        #expect(try await directory.resolve(lunch.roomID).roomID == lunch.roomID)
        #expect(try await directory.resolve("Dinner").roomID == dinner.roomID)
        do {
            _ = try await directory.resolve("lunchh")
            Issue.record("a typo resolved")
        } catch {
            #expect(error.code == .notFound)
            #expect(error.message.contains("Did you mean: \(lunch.roomID) (Lunch)?"), "\(error.message)")
        }
        _ = try await RoomSession.create(name: "Lunch", identity: alice, store: store, stateFolder: root.path)
        do {
            _ = try await directory.resolve("Lunch")
            Issue.record("a shared name resolved")
        } catch {
            #expect(error.code == .ambiguous)
        }
        #expect(try await directory.rooms().count == 3)
    }
}
