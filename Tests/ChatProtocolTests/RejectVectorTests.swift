import Testing
@testable import ChatProtocol

@Suite struct RejectVectorTests {
    /// Each vector line, put into the vector room as its own object, is rejected for the vector's reason.
    @Test func everyRejectVectorGivesItsReason() throws {
        let vectors = try Fixtures.array("rejects.json")
        #expect(vectors.count == 12)
        let room = try Fixtures.roomObjects()
        for vector in vectors {
            let name = vector["name"]?.stringValue ?? "?"
            let line = try #require(vector["line"]?.stringValue)
            let key = "rooms/room_vectors01/logs/2025-09-14/messages_1757851245123_1757851245123_vectors_zz.jsonl"
            let result = RoomVerifier(nowMs: 1_757_851_300_000)
                .verify(roomID: "room_vectors01", objects: room + [StoredObject(key: key, bytes: Array((line + "\n").utf8))])
            let mine = result.rejected.filter { $0.objectKey == key }
            #expect(mine.count == 1, "\(name): \(mine)")
            #expect(mine.first?.reason.rawValue == vector["reason"]?.stringValue, "\(name): \(mine.first?.detail ?? "")")
            #expect(mine.first?.line == 1)
            #expect(!result.accepted.contains { $0.objectKey == key }, "\(name)")
        }
    }
}
