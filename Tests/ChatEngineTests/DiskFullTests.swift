import ChatEngine
import ChatProtocol
import Foundation
import Testing

/// The journal on a filesystem that fills up: the writer gets a clear error,
/// nothing acknowledged is lost, and the outbox works again once there is room.
@Suite(.enabled(if: getuid() == 0, "mounting a small tmpfs needs root (CI runs as root)"))
struct DiskFullTests {
    @Test func fullDiskFailsTheSendKeepsEveryAcknowledgedEventAndRecovers() async throws {
        let mountPoint = FileManager.default.temporaryDirectory.appendingPathComponent("bucketchat-full-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        guard run("/bin/mount", ["-t", "tmpfs", "-o", "size=256k", "tmpfs", mountPoint]) == 0 else {
            Issue.record("could not mount a tmpfs at \(mountPoint)")
            return
        }
        defer {
            _ = run("/bin/umount", [mountPoint])
            try? FileManager.default.removeItem(atPath: mountPoint)
        }
        // Leave about 24 KiB free: a few dozen messages fit, then the disk is full.
        let filler = mountPoint + "/filler"
        let free = try freeBytes(mountPoint)
        _ = FileManager.default.createFile(atPath: filler, contents: Data(count: max(0, free - 24 * 1024)))

        let key = try SigningKey(seed: [UInt8](repeating: 5, count: 32))
        let body = String(repeating: "x", count: 400)
        var acknowledged: [String] = []
        var failure: EngineError?
        do {
            let outbox = try Outbox(stateFolder: mountPoint + "/state", roomID: "room_full", senderID: "user:full", clientID: "full_d1", key: key)
            for _ in 0..<500 {
                let event = try await outbox.send(type: EventType.message, content: MessageContent(body: body).json)
                acknowledged.append(event.eventID)
            }
        } catch {
            failure = error
        }
        let error = try #require(failure, "the disk never filled up")
        #expect(error.code == .journalIO || error.code == .journalFailed)
        #expect(error.message.contains("No space left") || error.message.contains("space"), "\(error.message)")
        #expect(error.message.contains(".journal"), "the message names the journal: \(error.message)")
        #expect(acknowledged.count > 5)

        // Space comes back; a new outbox replays the journal: every acknowledged event, once, and more can follow.
        try FileManager.default.removeItem(atPath: filler)
        let reopened = try Outbox(stateFolder: mountPoint + "/state", roomID: "room_full", senderID: "user:full", clientID: "full_d1", key: key)
        let replayed = await reopened.pendingEvents.map(\.eventID)
        #expect(Array(replayed.prefix(acknowledged.count)) == acknowledged)
        #expect(Set(replayed).count == replayed.count)
        let after = try await reopened.send(type: EventType.message, content: MessageContent(body: "space again").json)
        #expect(after.prevEventHash == (await reopened.pendingEvents.dropLast().last?.hash))
    }

    func run(_ tool: String, _ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        do {
            try process.run()
        } catch {
            return -1
        }
        process.waitUntilExit()
        return process.terminationStatus
    }

    func freeBytes(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfFileSystem(forPath: path)
        return (attributes[.systemFreeSize] as? Int) ?? 0
    }
}
