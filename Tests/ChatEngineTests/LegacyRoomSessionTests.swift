import ChatEngine
import ChatProtocol
import Foundation
import ObjectStore
import Testing

/// Rooms made by the reference client (no creator key) are read, never written.
@Suite struct LegacyRoomSessionTests {
    /// The reference client's room of ChatProtocolTests/Fixtures/reference-room.
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("ChatProtocolTests/Fixtures/reference-room")

    /// A memory store holding a copy of the fixture room (never the fixture itself:
    /// a write that got through must not change it).
    func referenceStore() async throws -> MemoryStore {
        let store = MemoryStore()
        let root = Self.fixture.path
        let walker = try #require(FileManager.default.enumerator(atPath: root))
        while let relative = walker.nextObject() as? String {
            guard relative.hasPrefix("rooms/"), relative.hasSuffix(".json") || relative.hasSuffix(".jsonl") else { continue }
            _ = await store.putIfAbsent(try ObjectKey(relative), try Data(contentsOf: URL(fileURLWithPath: root + "/" + relative)))
        }
        return store
    }

    @Test func writingIntoALegacyRoomIsRefusedAndNothingIsJournaled() async throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("bucketchat-legacy-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: state) }
        let identity = DeviceIdentity(senderID: "alice@example.com", clientID: "alice_d1",
                                      key: try SigningKey(seed: [UInt8](repeating: 7, count: 32)))
        let session = try RoomSession(roomID: "reference_room", identity: identity, store: try await referenceStore(), stateFolder: state)
        let refreshed = await session.refresh()
        #expect(refreshed.error == nil)
        let verification = await session.view().verification
        #expect(verification.metadata?.isLegacy == true)
        #expect(verification.rejected.count == 9, "read without keys: every event unknown_key")
        do {
            try await session.send("hello from bucketchat")
            Issue.record("a message was sent into a legacy room")
        } catch {
            #expect(error.code == .forbidden)
            #expect(error.message.contains("reference_room"))
            #expect(error.message.contains("legacy room"))
            #expect(error.message.contains("does not write"))
        }
        await #expect(throws: EngineError.self) { try await session.join(displayName: "Alice") }
        await #expect(throws: EngineError.self) { try await session.sendMessages(["one", "two"]) }
        await #expect(throws: EngineError.self) { try await session.act(.typing(true)) }
        #expect(await session.outbox.pendingEvents.isEmpty, "nothing was journaled")
    }
}
