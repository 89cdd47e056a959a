import ChatEngine
import ChatProtocol
import Foundation
import ObjectStore

// engine-send-bench: sustained send throughput into the journal, with the
// uploader draining to a local folder store at the same time.
//
//   engine-send-bench FOLDER [MESSAGES] [SENDERS]

let arguments = Array(CommandLine.arguments.dropFirst())
guard let folder = arguments.first else {
    FileHandle.standardError.write(Data("usage: engine-send-bench FOLDER [MESSAGES] [SENDERS]\n".utf8))
    exit(2)
}
let total = arguments.count > 1 ? Int(arguments[1]) ?? 100_000 : 100_000
let senders = arguments.count > 2 ? Int(arguments[2]) ?? 64 : 64

func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

/// CPU seconds (user + system) this process has used: divided by the messages
/// it gives a cost per message that other work on the shared cores barely moves.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

/// Seconds this process's threads spent runnable but waiting for a core
/// (`/proc/self/task/*/schedstat`, second field): how much the other work on
/// the shared cores held the bench back. Threads that ended are not counted.
func runQueueSeconds() -> Double {
    let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
    var nanoseconds = 0.0
    for task in tasks {
        guard let text = try? String(contentsOfFile: "/proc/self/task/\(task)/schedstat", encoding: .utf8) else { continue }
        let fields = text.split(separator: " ")
        if fields.count >= 2, let wait = Double(fields[1]) { nanoseconds += wait }
    }
    return nanoseconds / 1e9
}

if ProcessInfo.processInfo.environment["ENGINE_BENCH_SIGN_ONLY"] != nil {
    // How fast one chain can be signed at all: the ceiling of a single outbox.
    let key = try SigningKey.generate()
    var chain = DeviceChain(roomID: "room_sign", senderID: "user:bench", key: key)
    let content = JSONObject([("body", "a benchmark message of ordinary length, about a line of chat text"), ("msgtype", "m.text")])
    let clock = ContinuousClock()
    let start = clock.now
    let cpuStart = cpuSeconds()
    var bytes = 0
    for _ in 0..<20_000 { bytes += try chain.prepare(type: "m.room.message", content: content, nowMs: 1).signedLine(with: key).line.count }
    print(String(format: "sign only: %.0f events/s (%d bytes), %.1f µs CPU per event",
                 20_000 / seconds(clock.now - start), bytes, (cpuSeconds() - cpuStart) / 20_000 * 1e6))
    exit(0)
}

do {
    let key = try SigningKey.generate()
    let roomID = "room_bench" + String(UUID().uuidString.prefix(6)).lowercased().replacingOccurrences(of: "-", with: "")
    let store = LocalFolderStore(root: folder + "/bucket")
    let outbox = try Outbox(stateFolder: folder + "/state", roomID: roomID, senderID: "user:bench", clientID: "bench_device", key: key)
    let uploading = Task { await Uploader(outbox: outbox, store: store).run() }
    let content = JSONObject([("body", "a benchmark message of ordinary length, about a line of chat text"), ("msgtype", "m.text")])
    let clock = ContinuousClock()
    let start = clock.now
    let cpuStart = cpuSeconds()
    let waitStart = runQueueSeconds()
    try await withThrowingTaskGroup(of: Void.self) { group in
        for sender in 0..<senders {
            group.addTask {
                for _ in stride(from: sender, to: total, by: senders) {
                    _ = try await outbox.send(type: "m.room.message", content: content)
                }
            }
        }
        try await group.waitForAll()
    }
    let sendTime = seconds(clock.now - start)
    let sendCPU = cpuSeconds() - cpuStart
    let sendWait = runQueueSeconds() - waitStart
    let pendingAtEnd = await outbox.status.pendingEvents
    try await outbox.flush()
    let allTime = seconds(clock.now - start)
    uploading.cancel()
    let files = try await store.list(prefix: "rooms/\(roomID)/logs/").count
    print(String(format: "journal: %d messages from %d concurrent senders in %.2f s = %.0f messages/s, %d fsyncs (%.1f messages per fsync), %.1f µs CPU per message (%.2f cores busy)",
                 total, senders, sendTime, Double(total) / sendTime, outbox.journal.syncCount,
                 Double(total) / Double(max(outbox.journal.syncCount, 1)), sendCPU / Double(total) * 1e6, sendCPU / sendTime))
    print(String(format: "  threads were runnable but waiting for a core %.2f s in all while sending (other work on the shared cores)", sendWait))
    print(String(format: "uploader: %d still pending when the last send returned; all uploaded %.2f s after the start (%.0f messages/s end to end) in %d files",
                 pendingAtEnd, allTime, Double(total) / allTime, files))
} catch {
    FileHandle.standardError.write(Data("engine-bench: \(error)\n".utf8))
    exit(1)
}
