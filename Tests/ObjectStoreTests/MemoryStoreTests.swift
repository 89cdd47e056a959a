import Foundation
import ObjectStore
import Testing

@Suite struct MemoryStoreTests {
    @Test func writeOnceThreeWays() async throws {
        let store = MemoryStore()
        let key = try ObjectKey("rooms/r/metadata.json")
        #expect(await store.putIfAbsent(key, Data("one".utf8)) == .created)
        #expect(await store.putIfAbsent(key, Data("one".utf8)) == .alreadyExists(sameBytes: true))
        #expect(await store.putIfAbsent(key, Data("two".utf8)) == .alreadyExists(sameBytes: false))
        #expect(try await store.get(key) == Data("one".utf8))
        #expect(await store.head(key)?.size == 3)
        #expect(await store.head(try ObjectKey("rooms/r/other")) == nil)
    }

    @Test func listsByPrefixInByteOrder() async throws {
        let store = MemoryStore()
        for name in ["b/2", "a/1", "b/1", "c"] {
            _ = await store.putIfAbsent(try ObjectKey(name), Data(name.utf8))
        }
        #expect(try await store.list(prefix: "b/").map(\.key) == ["b/1", "b/2"])
        #expect(try await store.list(prefix: "").map(\.key) == ["a/1", "b/1", "b/2", "c"])
    }

    @Test func missingObjectIsNotFound() async throws {
        let store = MemoryStore()
        do {
            _ = try await store.get(try ObjectKey("nope"))
            Issue.record("got a missing object")
        } catch {
            #expect(error.code == .notFound)
            #expect(error.message.contains("nope"))
        }
    }
}
