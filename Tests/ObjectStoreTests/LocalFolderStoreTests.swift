import Foundation
import ObjectStore
import Testing

@Suite struct LocalFolderStoreTests {
    static func temporaryFolder() -> String {
        let path = NSTemporaryDirectory() + "bucketchat-local-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// The store-bench executable, built beside the tests by `swift build --build-tests`.
    static var benchBinary: String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let sibling = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("store-bench").path
        if FileManager.default.isExecutableFile(atPath: sibling) { return sibling }
        return root.appendingPathComponent(".build/debug/store-bench").path
    }

    @Test func twoProcessesCreatingOneKeyExactlyOneWins() throws {
        // Real processes, each with its own descriptors, racing link() on one
        // name; repeated so a lucky ordering cannot hide a broken protocol.
        let root = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(FileManager.default.isExecutableFile(atPath: Self.benchBinary), "build store-bench first: swift build --build-tests")
        for round in 0..<10 {
            let key = "rooms/r/logs/race-\(round).jsonl"
            // Outcomes go to files, not pipes: Foundation's FileHandle reads
            // trap on EINTR, which other tests' SIGCHLDs cause.
            let contenders = try (0..<4).map { index -> (Process, String) in
                let process = Process()
                process.executableURL = URL(fileURLWithPath: Self.benchBinary)
                process.arguments = ["race", root, key, "writer-\(index)"]
                let outputPath = NSTemporaryDirectory() + "bucketchat-race-\(UUID().uuidString)"
                _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
                process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
                return (process, outputPath)
            }
            for (process, _) in contenders { try process.run() }
            var outcomes: [String] = []
            for (process, outputPath) in contenders {
                process.waitUntilExit()
                #expect(process.terminationStatus == 0)
                let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
                try? FileManager.default.removeItem(atPath: outputPath)
                outcomes.append(output.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            #expect(outcomes.filter { $0 == "created" }.count == 1, "round \(round): \(outcomes)")
            #expect(outcomes.filter { $0 == "exists-different" }.count == 3, "round \(round): \(outcomes)")
            let stored = try String(contentsOfFile: root + "/" + key, encoding: .utf8)
            #expect(stored.hasPrefix("writer-"))
        }
        // No temporary files are left behind.
        let leftovers = try FileManager.default.subpathsOfDirectory(atPath: root).filter { $0.contains(".bucketchat-tmp-") }
        #expect(leftovers.isEmpty)
    }

    @Test func manyTasksCreatingOneKeyExactlyOneWins() async throws {
        let root = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = LocalFolderStore(root: root)
        let key = try ObjectKey("k")
        let outcomes = await withTaskGroup(of: PutOutcome?.self) { group in
            for index in 0..<16 {
                group.addTask { try? await store.putIfAbsent(key, Data("writer \(index)".utf8)) }
            }
            return await group.reduce(into: [PutOutcome?]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 == .created }.count == 1)
        #expect(outcomes.filter { $0 == .alreadyExists(sameBytes: false) }.count == 15)
    }

    @Test func listsNestedFilesAndSkipsTemporaries() async throws {
        let root = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = LocalFolderStore(root: root)
        for name in ["rooms/a/metadata.json", "rooms/a/logs/2024-01-01/m1", "rooms/b/metadata.json", "other"] {
            #expect(try await store.putIfAbsent(try ObjectKey(name), Data(name.utf8)) == .created)
        }
        _ = FileManager.default.createFile(atPath: root + "/rooms/a/.bucketchat-tmp-junk", contents: Data("x".utf8))
        #expect(try await store.list(prefix: "rooms/a/").map(\.key) == ["rooms/a/logs/2024-01-01/m1", "rooms/a/metadata.json"])
        #expect(try await store.list(prefix: "rooms/a/l").map(\.key) == ["rooms/a/logs/2024-01-01/m1"])
        #expect(try await store.list(prefix: "").count == 4)
        #expect(try await store.list(prefix: "nothing/").isEmpty)
        let info = try #require(try await store.head(try ObjectKey("other")))
        #expect(info.size == 5)
        #expect(try await store.list(prefix: "other").first?.etag == info.etag)
    }

    @Test func refusesWhatAFolderCannotHold() async throws {
        let store = LocalFolderStore(root: Self.temporaryFolder())
        defer { try? FileManager.default.removeItem(atPath: store.root) }
        let long = try ObjectKey("rooms/" + String(repeating: "x", count: 256))
        await #expect(throws: StoreError.self) { try await store.putIfAbsent(long, Data()) }
        let reserved = try ObjectKey("rooms/.bucketchat-tmp-1")
        await #expect(throws: StoreError.self) { try await store.putIfAbsent(reserved, Data()) }
    }

    @Test func unwritableFolderGivesAClearError() async throws {
        let store = LocalFolderStore(root: "/proc/bucketchat-cannot-exist")
        do {
            _ = try await store.putIfAbsent(try ObjectKey("a/b"), Data("x".utf8))
            Issue.record("wrote into /proc")
        } catch {
            #expect(error.code == .io)
            #expect(error.message.contains("/proc/bucketchat-cannot-exist"))
            #expect(error.cause != nil)
        }
    }
}
