import Foundation
import ObjectStore
import Testing

/// The folder store's attachment paths beyond the shared conformance cases:
/// its own key rules, no temporary file left by a failed copy, and a sink's
/// error stopping a download.
@Suite struct LocalFolderStoreFileTests {
    /// Takes bytes until it has `limit`, then refuses, as a full disk would.
    final class RefusingSink: ObjectSink, @unchecked Sendable {
        let limit: Int
        private(set) var taken = 0
        init(limit: Int) { self.limit = limit }
        func receive(_ bytes: UnsafeRawBufferPointer) throws(StoreError) {
            guard taken + bytes.count <= limit else { throw StoreError(.io, "the sink is full") }
            taken += bytes.count
        }
    }

    static func file(size: Int) throws -> String {
        let path = NSTemporaryDirectory() + "bucketchat-local-file-\(UUID().uuidString)"
        try Data((0..<size).map { UInt8(truncatingIfNeeded: $0) }).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func keyRulesApplyToFiles() async throws {
        let store = LocalFolderStore(root: LocalFolderStoreTests.temporaryFolder())
        defer { try? FileManager.default.removeItem(atPath: store.root) }
        let path = try Self.file(size: 10)
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            _ = try await store.putFileIfAbsent(try ObjectKey("rooms/.bucketchat-tmp-1"), path: path, progress: nil)
            Issue.record("stored a file under a reserved name")
        } catch {
            #expect(error.code == .invalidKey)
            #expect(error.message.contains("rooms/.bucketchat-tmp-1"))
        }
    }

    @Test func aMissingSourceLeavesNoTemporaryFile() async throws {
        let store = LocalFolderStore(root: LocalFolderStoreTests.temporaryFolder())
        defer { try? FileManager.default.removeItem(atPath: store.root) }
        _ = try await store.putIfAbsent(try ObjectKey("rooms/r/other"), Data("x".utf8))
        do {
            _ = try await store.putFileIfAbsent(try ObjectKey("rooms/r/file"), path: store.root + "/no-such-file", progress: nil)
            Issue.record("stored a file that does not exist")
        } catch {
            #expect(error.code == .io)
            #expect(error.message.contains("no-such-file"))
        }
        let leftovers = try FileManager.default.subpathsOfDirectory(atPath: store.root).filter { $0.contains(".bucketchat-tmp-") }
        #expect(leftovers.isEmpty)
        #expect(try await store.head(try ObjectKey("rooms/r/file")) == nil)
    }

    @Test func aSinkErrorStopsTheDownload() async throws {
        let store = LocalFolderStore(root: LocalFolderStoreTests.temporaryFolder())
        defer { try? FileManager.default.removeItem(atPath: store.root) }
        // The store reads a MiB at a time: the sink refuses the second read.
        let chunk = 1 << 20
        let size = 3 * chunk + 5
        let path = try Self.file(size: size)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let key = try ObjectKey("rooms/r/big")
        #expect(try await store.putFileIfAbsent(key, path: path, progress: nil) == .created)
        let sink = RefusingSink(limit: chunk)
        do {
            _ = try await store.download(key, into: sink, maxBytes: Int64(size))
            Issue.record("a download went on past a sink's error")
        } catch {
            #expect(error.message == "the sink is full")
        }
        #expect(sink.taken == chunk)
    }

    @Test func memoryStoreDefaultsKeepTheContract() async throws {
        let store = MemoryStore()
        let path = try Self.file(size: 100)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let key = try ObjectKey("a/file")
        #expect(try await store.putFileIfAbsent(key, path: path, progress: nil) == .created)
        #expect(try await store.putFileIfAbsent(key, path: path, progress: nil) == .alreadyExists(sameBytes: true))
        do {
            _ = try await store.download(key, into: RefusingSink(limit: 1000), maxBytes: 99)
            Issue.record("downloaded more than maxBytes")
        } catch {
            #expect(error.code == .tooLarge)
        }
    }
}
