import Foundation
import ObjectStore
import Testing

/// The write-once contract every backend must keep, run by one suite per
/// backend (local folder, moto, fake-gcs-server).
struct Conformance {
    let store: any ObjectStore

    /// Runs `body` for 0..<count with at most `width` in flight.
    func parallel(_ count: Int, width: Int = 16, _ body: @escaping @Sendable (Int) async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            while next < min(width, count) {
                let index = next
                group.addTask { try await body(index) }
                next += 1
            }
            while try await group.next() != nil {
                guard next < count else { continue }
                let index = next
                group.addTask { try await body(index) }
                next += 1
            }
        }
    }

    func listsAllKeysAcrossPages() async throws {
        let count = 2500
        let store = self.store
        try await parallel(count) { index in
            let key = try ObjectKey("rooms/big/logs/\(String(format: "%05d", index)).jsonl")
            let outcome = try await store.putIfAbsent(key, Data("event \(index)\n".utf8))
            #expect(outcome == .created)
        }
        _ = try await store.putIfAbsent(try ObjectKey("rooms/bigger/x"), Data("not in the prefix".utf8))
        let listed = try await store.list(prefix: "rooms/big/")
        #expect(listed.count == count)
        #expect(listed.map(\.key) == (0..<count).map { "rooms/big/logs/\(String(format: "%05d", $0)).jsonl" })
        #expect(listed[42].size == "event 42\n".utf8.count)
        #expect(listed.allSatisfy { !$0.etag.isEmpty })
        #expect(try await store.list(prefix: "rooms/big/logs/0249").count == 10)
        #expect(try await store.list(prefix: "rooms/").count == count + 1)
        // Listing after a key: exactly the keys that sort after it, across pages.
        let after = try await store.list(prefix: "rooms/big/", startAfter: "rooms/big/logs/01000.jsonl")
        #expect(after.map(\.key) == (1001..<count).map { "rooms/big/logs/\(String(format: "%05d", $0)).jsonl" })
        #expect(try await store.list(prefix: "rooms/big/", startAfter: "rooms/big/logs/02499.jsonl").isEmpty)
        #expect(try await store.list(prefix: "rooms/big/", startAfter: "rooms/big/logs/0").count == count, "a bound that is no key")
    }

    /// A bound inside nested folders: exactly the keys after it, in byte
    /// order (`a-c` before `a/b`, since `-` sorts before `/`), whether the
    /// bound is a key, a folder or neither. The local store skips folders
    /// whose keys all sort before the bound; this is what it must still find.
    func listsAfterABoundAcrossFolders() async throws {
        let keys = ["rooms/r/a-c", "rooms/r/a/b", "rooms/r/a/c/d", "rooms/r/b", "rooms/r/logs/2026-01-01/messages_1",
                    "rooms/r/logs/2026-01-01/messages_2", "rooms/r/logs/2026-01-02/messages_1", "rooms/rx"]
        for key in keys { _ = try await store.putIfAbsent(try ObjectKey(key), Data(key.utf8)) }
        let sorted = keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let bounds = keys + ["rooms/", "rooms/r", "rooms/r/", "rooms/r/a", "rooms/r/a/", "rooms/r/a/c", "rooms/r/a0",
                             "rooms/r/logs/2026-01-01/", "rooms/r/logs/2026-01-01/messages_", "rooms/r/logs/2026-01-01/messages_15", "rooms/r/z"]
        for prefix in ["rooms/r/", "rooms/r/logs/", "rooms/r/logs/2026-01-01/", "rooms/r/a"] {
            for bound in bounds {
                let expected = sorted.filter { $0.hasPrefix(prefix) && bound.utf8.lexicographicallyPrecedes($0.utf8) }
                #expect(try await store.list(prefix: prefix, startAfter: bound).map(\.key) == expected, "prefix \(prefix), after \(bound)")
            }
        }
    }

    /// The folders directly below a prefix, each once, in byte order; files
    /// beside them are not folders.
    func listsFoldersBelowAPrefix() async throws {
        for key in ["rooms/a/metadata.json", "rooms/a/logs/2026-01-01/m1", "rooms/a/logs/2026-01-01/m2", "rooms/a-b/metadata.json",
                    "rooms/b/x/y", "rooms/file", "other/z"] {
            _ = try await store.putIfAbsent(try ObjectKey(key), Data(key.utf8))
        }
        #expect(try await store.listFolders(prefix: "rooms/") == ["rooms/a-b/", "rooms/a/", "rooms/b/"])
        #expect(try await store.listFolders(prefix: "") == ["other/", "rooms/"])
        #expect(try await store.listFolders(prefix: "rooms/a/") == ["rooms/a/logs/"])
        #expect(try await store.listFolders(prefix: "rooms/a/logs/2026-01-01/") == [])
        #expect(try await store.listFolders(prefix: "nothing/") == [])
    }

    func concurrentCreatesHaveOneWinner() async throws {
        for round in 0..<5 {
            let key = try ObjectKey("rooms/race/logs/messages_\(round).jsonl")
            let store = self.store
            async let first = store.putIfAbsent(key, Data("from device one \(round)\n".utf8))
            async let second = store.putIfAbsent(key, Data("from device two \(round)\n".utf8))
            let outcomes = try await [first, second]
            #expect(outcomes.filter { $0 == .created }.count == 1, "round \(round): \(outcomes)")
            #expect(outcomes.filter { $0 == .alreadyExists(sameBytes: false) }.count == 1, "round \(round): \(outcomes)")
            let stored = String(decoding: try await store.get(key), as: UTF8.self)
            #expect(stored.hasPrefix("from device"))
        }
    }

    func retryWithSameBytesIsIdempotent() async throws {
        let key = try ObjectKey("rooms/retry/metadata.json")
        let bytes = Data(#"{"room_id":"retry"}"#.utf8)
        #expect(try await store.putIfAbsent(key, bytes) == .created)
        #expect(try await store.putIfAbsent(key, bytes) == .alreadyExists(sameBytes: true))
        #expect(try await store.putIfAbsent(key, Data("other".utf8)) == .alreadyExists(sameBytes: false))
        #expect(try await store.get(key) == bytes)
    }

    func sixteenMebibyteObjectRoundTrips() async throws {
        let key = try ObjectKey("rooms/big-file/attachments/blob")
        var generator = SystemRandomNumberGenerator()
        var bytes = Data(count: 16 * 1024 * 1024)
        bytes.withUnsafeMutableBytes { raw in
            for index in stride(from: 0, to: raw.count, by: 8) {
                raw.storeBytes(of: generator.next() as UInt64, toByteOffset: index, as: UInt64.self)
            }
        }
        #expect(try await store.putIfAbsent(key, bytes) == .created)
        let read = try await store.get(key)
        #expect(read.count == bytes.count)
        #expect(read == bytes)
        #expect(try await store.head(key)?.size == bytes.count)
        #expect(try await store.putIfAbsent(key, bytes) == .alreadyExists(sameBytes: true))
    }

    func badKeysAndMissingObjectsAreTypedErrors() async throws {
        for prefix in ["../", "/rooms", "rooms//", "a\u{0}"] {
            do {
                _ = try await store.list(prefix: prefix)
                Issue.record("listed bad prefix \(prefix)")
            } catch {
                #expect(error.code == .invalidKey)
            }
        }
        let missing = try ObjectKey("rooms/none/metadata.json")
        #expect(try await store.head(missing) == nil)
        do {
            _ = try await store.get(missing)
            Issue.record("got a missing object")
        } catch {
            #expect(error.code == .notFound)
            #expect(error.message.contains("rooms/none/metadata.json"))
        }
        #expect(try await store.list(prefix: "rooms/none/").isEmpty)
    }
}
