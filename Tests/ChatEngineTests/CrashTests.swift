@testable import ChatEngine
import ChatProtocol
import Foundation
import ObjectStore
import Testing

/// `kill -9` of a sending process, then a restart: exactly the acknowledged
/// messages arrive, once each, on one unbroken chain.
@Suite struct CrashTests {
    /// The helper executable, built beside the tests by `swift build --build-tests`.
    static var helper: String {
        let sibling = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("engine-crash-helper").path
        if FileManager.default.isExecutableFile(atPath: sibling) { return sibling }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/engine-crash-helper").path
    }

    enum KillPoint: CustomStringConvertible {
        case afterAcks(Int)
        case duringFlush(delayMs: Int)
        case never
        /// As soon as a line starting with this prefix is printed.
        case afterLine(String)
        var description: String {
            switch self {
            case .afterLine(let prefix): "after \"\(prefix)\""
            case .afterAcks(let n): "after \(n) acks"
            case .duringFlush(let ms): "\(ms) ms into the flush"
            case .never: "never"
            }
        }
    }

    /// Runs the helper, SIGKILLs it at `kill`, and returns every event id it
    /// acknowledged (all of stdout, read to the end after the kill).
    static func run(_ arguments: [String], kill point: KillPoint) throws -> (acks: [String], finished: Bool) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: helper)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        var text = ""
        var killed = false
        let reader = pipe.fileHandleForReading
        while !killed {
            let chunk = reader.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
            switch point {
            case .afterAcks(let n) where text.components(separatedBy: "\nack ").count > n:
                kill(process.processIdentifier, SIGKILL)
                killed = true
            case .afterLine(let prefix) where text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().contains(where: { $0.hasPrefix(prefix) }):
                kill(process.processIdentifier, SIGKILL)
                killed = true
            case .duringFlush(let ms) where text.contains("flushing\n"):
                usleep(UInt32(ms * 1000))
                kill(process.processIdentifier, SIGKILL)
                killed = true
            default:
                break
            }
        }
        text += String(decoding: reader.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let lines = text.split(separator: "\n")
        let acks = lines.filter { $0.hasPrefix("ack ") }.map { String($0.dropFirst(4)) }
        return (acks, lines.contains("done"))
    }

    @Test(arguments: [KillPoint.afterAcks(Int.random(in: 1...40)), .afterAcks(Int.random(in: 100...700)), .duringFlush(delayMs: Int.random(in: 0...40))])
    func killedSenderLosesAndDuplicatesNothing(_ point: KillPoint) async throws {
        #expect(FileManager.default.isExecutableFile(atPath: Self.helper), "build the helper first: swift build --build-tests")
        let fixture = try EngineFixture()
        defer { fixture.remove() }
        let bucket = fixture.state + "/bucket"
        let seed = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        let sent = try Self.run(["send", bucket, fixture.state, fixture.roomID, seed, "800", "8"], kill: point)
        #expect(!sent.finished, "the helper was to be killed \(point)")
        #expect(!sent.acks.isEmpty)
        let drained = try Self.run(["drain", bucket, fixture.state, fixture.roomID, seed], kill: .never)
        #expect(drained.finished, "the restarted helper drains the journal")

        let store = LocalFolderStore(root: bucket)
        let objects = try await storedObjects(store, roomID: fixture.roomID)
        let counts = try eventIDCounts(objects.filter { LogObjectName(key: $0.key) != nil }.map { ($0.key, $0.bytes) })
        #expect(counts.values.allSatisfy { $0 == 1 }, "no event is uploaded twice")
        let missing = sent.acks.filter { counts[$0] == nil }
        #expect(missing.isEmpty, "acknowledged but lost: \(missing.prefix(5))")
        let verification = RoomVerifier().verify(roomID: fixture.roomID, objects: objects)
        #expect(verification.rejected.isEmpty, "\(verification.rejected.prefix(3))")
        #expect(verification.alarms.isEmpty, "gap or fork after the crash: \(verification.alarms.prefix(3))")
        // What arrived is exactly what the journal holds: the acknowledged sends, plus
        // at most the few that were durable but not yet acknowledged when the kill came.
        let key = try SigningKey(seed: stride(from: 0, to: 64, by: 2).map { i in
            UInt8(seed[seed.index(seed.startIndex, offsetBy: i)..<seed.index(seed.startIndex, offsetBy: i + 2)], radix: 16) ?? 0
        })
        let outbox = try Outbox(stateFolder: fixture.state, roomID: fixture.roomID, senderID: "user:crash", clientID: "crash_device", key: key)
        #expect(verification.accepted.count == (await outbox.journaledCount))
        #expect(await outbox.status.pendingEvents == 0)
        #expect(verification.accepted.count >= sent.acks.count)
    }

    /// A share that returned survives `kill -9`: the restarted device uploads
    /// the blob, then the event naming it, and the store holds the right bytes.
    @Test func killedAfterShareReturnsLosesNeitherBlobNorEvent() async throws {
        #expect(FileManager.default.isExecutableFile(atPath: Self.helper), "build the helper first: swift build --build-tests")
        let fixture = try EngineFixture()
        defer { fixture.remove() }
        let bucket = fixture.state + "/bucket"
        let seed = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        let bytes = (0..<(2 * (1 << 20) + 77)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
        let file = fixture.state + "/shared.bin"
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        let shared = try Self.run(["share", bucket, fixture.state, fixture.roomID, seed, file], kill: .afterLine("shared "))
        #expect(!shared.finished)
        let store = LocalFolderStore(root: bucket)
        let sha = SHA256.hexDigest(bytes)
        let key = try ObjectKey(RoomObjectKey.attachmentKey(roomID: fixture.roomID, sha256: sha))
        #expect(try await store.head(key) == nil, "the helper uploads nothing before the kill")
        #expect(FileManager.default.fileExists(atPath: BlobArea(stateFolder: fixture.state, roomID: fixture.roomID).path(of: sha)))

        let drained = try Self.run(["drain", bucket, fixture.state, fixture.roomID, seed], kill: .never)
        #expect(drained.finished)
        #expect(Array(try await store.get(key)) == bytes, "the blob is in the store with the right bytes")
        let verification = RoomVerifier().verify(roomID: fixture.roomID, objects: try await storedObjects(store, roomID: fixture.roomID))
        #expect(verification.rejected.isEmpty && verification.alarms.isEmpty)
        let files = verification.sharedFiles
        #expect(files.map(\.file.sha256) == [sha])
        #expect(files.map(\.file.name) == ["shared.bin"])
        // The blob went up before the log object naming it (mtime order in the folder store).
        let blobTime = try FileManager.default.attributesOfItem(atPath: bucket + "/" + key.rawValue)[.modificationDate] as? Date
        let logs = try await store.list(prefix: RoomObjectKey.roomPrefix(roomID: fixture.roomID) + "logs/")
        let logTime = try logs.compactMap { try FileManager.default.attributesOfItem(atPath: bucket + "/" + $0.key)[.modificationDate] as? Date }.max()
        if let blobTime, let logTime { #expect(blobTime <= logTime) }
        #expect(!FileManager.default.fileExists(atPath: BlobArea(stateFolder: fixture.state, roomID: fixture.roomID).path(of: sha)),
                "the uploaded blob leaves the blob area")
    }
}
