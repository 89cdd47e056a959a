import ArgumentParser
import ChatProtocol
import Dispatch
import Foundation

/// Writes a synthetic, validly signed room into a folder laid out like a
/// bucket, for benchmarks and load tests: several senders, each with several
/// device keys, messages spread over files of a fixed size.
@main
struct RoomGenerator: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bucketchat-roomgen",
        abstract: "Generate a large signed room for benchmarks."
    )

    @Option(help: "Folder to write rooms/ into.")
    var out: String

    @Option(help: "Room id.")
    var room = "room_bench"

    @Option(help: "Total number of events.")
    var events = 200_000

    @Option(help: "Number of senders.")
    var senders = 8

    @Option(name: .customLong("devices-per-sender"), help: "Device keys per sender.")
    var devicesPerSender = 2

    @Option(name: .customLong("events-per-file"), help: "Events per log object.")
    var eventsPerFile = 100

    @Option(help: "Percent of each device's events that are reactions to one of its recent messages.")
    var reactions = 0

    @Option(help: "Percent that are replies (messages with a parent) to one of its recent messages.")
    var replies = 0

    @Option(help: "Percent that are edits of one of its recent messages.")
    var edits = 0

    @Flag(name: .customLong("private"), help: "A private room: one key epoch sealed to every device, every message, reaction and edit encrypted.")
    var isPrivate = false

    @Option(name: .customLong("key-out"), help: "Write the creator device's key file here (to open a private room with `verify --key`).")
    var keyOut: String?

    func validate() throws {
        guard senders >= 1, devicesPerSender >= 1, eventsPerFile >= 1, events >= senders * (devicesPerSender + 1) else {
            throw ValidationError("need at least one sender, device and event per file, and enough events for the joins")
        }
        guard reactions >= 0, replies >= 0, edits >= 0, reactions + replies + edits <= 100 else {
            throw ValidationError("--reactions, --replies and --edits are percentages that add up to at most 100")
        }
    }

    func run() throws {
        let start = Int64(1_760_000_000_000)
        let creatorKey = try SigningKey(seed: seed(0, 0))
        let metadata = try RoomMetadata.signed(roomID: room, name: "Bench", createdAt: "2025-10-09T08:53:20Z",
                                               creator: "user:u0", key: creatorKey, isPrivate: isPrivate)
        if let keyOut {
            try KeyFile(senderID: "user:u0", key: creatorKey, createdAt: "2025-10-09T08:53:20Z").save(path: keyOut)
        }
        try write(key: RoomObjectKey.metadataKey(roomID: room), bytes: metadata.bytes)

        // Membership first: the creator joins and invites; everyone joins and adds devices.
        var chains: [[DeviceChain]] = []
        for s in 0..<senders {
            var devices: [DeviceChain] = []
            for d in 0..<devicesPerSender {
                let chain = DeviceChain(roomID: room, senderID: "user:u\(s)", key: try SigningKey(seed: seed(s, d)),
                                        clock: DeviceClock(last: start))
                devices.append(chain)
            }
            chains.append(devices)
        }
        var setup: [[Event]] = Array(repeating: [], count: senders)
        var now = start
        func member(_ s: Int, _ content: JSONObject) throws {
            now += 1
            setup[s].append(try chains[s][0].sign(type: EventType.member, content: content, nowMs: now))
        }
        try member(0, JSONObject([("membership", "join"), ("public_key", .string(chains[0][0].key.publicKey.base64)), ("device_id", "u0_d0")]))
        for s in 1..<senders {
            try member(0, JSONObject([("membership", "invite"), ("user_id", .string("user:u\(s)"))]))
        }
        for s in 0..<senders {
            if s > 0 {
                try member(s, JSONObject([("membership", "join"), ("public_key", .string(chains[s][0].key.publicKey.base64)), ("device_id", .string("u\(s)_d0"))]))
            }
            for d in 1..<devicesPerSender {
                try member(s, JSONObject([("membership", "join"), ("public_key", .string(chains[s][d].key.publicKey.base64)), ("device_id", .string("u\(s)_d\(d)"))]))
            }
        }
        var sealing: EventSeal?
        if isPrivate {
            let key = try RoomKey.generate()
            var sealed: [PublicKey: [UInt8]] = [:]
            for device in chains.flatMap({ $0 }) { sealed[device.key.publicKey] = try key.seal(to: device.key.publicKey) }
            now += 1
            let keyEvent = try chains[0][0].sign(type: EventType.roomKey, content: RoomKeyContent(epoch: nil, sealed: sealed, reason: "created").json, nowMs: now)
            setup[0].append(keyEvent)
            sealing = EventSeal(epoch: keyEvent.eventID, key: key)
        }
        for s in 0..<senders {
            let file = try LogFile.encode(setup[s], roomID: room, clientID: "u\(s)_d0")
            try write(key: file.name.key, bytes: file.bytes)
        }

        // Messages: each device writes its share, devices in parallel.
        let setupCount = setup.reduce(0) { $0 + $1.count }
        let deviceCount = senders * devicesPerSender
        let perDevice = (events - setupCount) / deviceCount
        let extra = (events - setupCount) % deviceCount
        let allChains = chains.flatMap { $0 }
        let messageStart = now + 1
        let roomID = room
        let filesPerEvent = eventsPerFile
        let failures = Failures()
        let outDir = out
        let mix = (reactions: reactions, replies: replies, edits: edits)
        let seal = sealing
        DispatchQueue.concurrentPerform(iterations: deviceCount) { index in
            var chain = allChains[index]
            let count = perDevice + (index < extra ? 1 : 0)
            var batch: [Event] = []
            // The device's latest messages, which its reactions, replies and edits refer to.
            var recent: [String] = []
            do {
                for i in 0..<count {
                    // Devices interleave in time: device k writes at k, k + n, k + 2n, ...
                    let t = messageStart + Int64(i * deviceCount + index)
                    let target = recent.isEmpty ? nil : recent[(i * 7) % recent.count]
                    // Which kind an event is follows from its number, so a room is the same every time.
                    let roll = (i * 37 + index * 11) % 100
                    let event: Event
                    if let target, roll < mix.reactions {
                        event = try chain.sign(type: EventType.reaction, content: JSONObject([("relates_to", .string(target)), ("reaction", "+1")]), nowMs: t, sealing: seal)
                    } else if let target, roll < mix.reactions + mix.edits {
                        event = try chain.sign(type: EventType.edit, content: JSONObject([
                            ("replaces", .string(target)), ("new_content", .object(MessageContent(body: "edited \(i) from device \(index)").json)),
                        ]), nowMs: t, sealing: seal)
                    } else {
                        let isReply = target != nil && roll < mix.reactions + mix.edits + mix.replies
                        let content = MessageContent(body: "message \(i) from device \(index): the quick brown fox jumps over the lazy dog").json
                        event = try chain.sign(type: EventType.message, content: content, parentEventID: isReply ? target : nil, nowMs: t, sealing: seal)
                        recent.append(event.eventID)
                        if recent.count > 16 { recent.removeFirst() }
                    }
                    batch.append(event)
                    if batch.count == filesPerEvent || i == count - 1 {
                        let s = index / devicesPerSender, d = index % devicesPerSender
                        let file = try LogFile.encode(batch, roomID: roomID, clientID: "u\(s)_d\(d)")
                        try RoomGenerator.write(root: outDir, key: file.name.key, bytes: file.bytes)
                        batch.removeAll(keepingCapacity: true)
                    }
                }
            } catch {
                failures.record("\(error)")
            }
        }
        if let failure = failures.first { throw CleanExit.message("generation failed: \(failure)") }
        print("wrote \(setupCount + perDevice * deviceCount + extra) events of room \(room) to \(out)")
    }

    func seed(_ sender: Int, _ device: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 32)
        bytes[0] = UInt8(truncatingIfNeeded: sender)
        bytes[1] = UInt8(truncatingIfNeeded: sender >> 8)
        bytes[2] = UInt8(truncatingIfNeeded: device)
        bytes[31] = 0x42
        return bytes
    }

    func write(key: String, bytes: [UInt8]) throws {
        try RoomGenerator.write(root: out, key: key, bytes: bytes)
    }

    static func write(root: String, key: String, bytes: [UInt8]) throws {
        let path = root + "/" + key
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }
}

/// The first error any worker hit.
final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [String] = []

    func record(_ message: String) {
        lock.lock()
        defer { lock.unlock() }
        messages.append(message)
    }

    var first: String? {
        lock.lock()
        defer { lock.unlock() }
        return messages.first
    }
}
