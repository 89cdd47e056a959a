import ChatEngine
import ChatProtocol
import FuzzSupport

// Fuzzes the timeline renderer (`TimelineLine.render` and `escape`) with
// everything a remote sender controls: sender id, display name, bodies,
// reasons, topic, room name, unknown event types.
//
// The input is split at NUL bytes into those fields. Each run signs a small
// room in which the fuzzed sender joins and acts, verifies it, and renders
// every accepted event, so the renderer sees real `VerifiedEvent`s of every
// kind. Invariant (docs/timeline-format.md): every rendered event is exactly
// one line of five fields with no control, bidi override or line separator.

let roomID = "room_fuzz"
let baseTs: Int64 = 1_757_851_200_000
// Fixed seeds so a crash reproduces from its input alone.
let alice = seedKey(1)
let mallory = seedKey(2)
let metadata = try? RoomMetadata.signed(roomID: roomID, name: "Fuzz", createdAt: "2025-09-14T12:00:00Z",
                                        creator: "user:alice", key: alice ?? placeholderKey(), joinRule: .public)

func seedKey(_ n: UInt8) -> SigningKey? { try? SigningKey(seed: [UInt8](repeating: n, count: 32)) }
func placeholderKey() -> SigningKey { fatalError("libsodium could not derive a key from a fixed seed") }

struct Writer {
    var events: [Event] = []
    var prev: [String: String] = [:]
    var n: Int64 = 0

    /// Signs the next event of `key`'s chain; nil when signing refuses the input.
    /// `idTail` replaces the UUID part of the event id: ids are the sender's
    /// to choose, and REF and references are derived from them.
    mutating func emit(_ sender: String, _ key: SigningKey, _ type: String, _ content: JSONValue, parent: String? = nil,
                       idTail: String? = nil) -> String? {
        n += 1
        let ts = baseTs + n * 10
        let tail = idTail ?? "00000000-0000-4000-8000-\(String(repeating: "0", count: 12 - String(n).count))\(n)"
        let id = "\(roomID)::\(UTCTime(milliseconds: ts).compact)::\(tail)"
        guard let event = try? Event.signed(roomID: roomID, eventID: id, timestampMs: ts, senderID: sender, type: type,
                                            content: content.objectValue ?? JSONObject(), parentEventID: parent, prevEventHash: prev[key.publicKey.base64], key: key)
        else { return nil }
        prev[key.publicKey.base64] = event.hash
        events.append(event)
        return id
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTimeline(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    var fields = bytes.split(separator: 0, maxSplits: 5, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    while fields.count < 6 { fields.append("") }
    let (sender, displayName, body, reason, topic, other) = (fields[0], fields[1], fields[2], fields[3], fields[4], fields[5])

    // The escaper alone, on every field as given.
    for field in fields {
        if let problem = SafeLine.fieldProblem(TimelineLine.escape(field)) { fatalError("escape: \(problem)") }
    }

    guard let alice, let mallory, let metadata else { fatalError("fixed keys or metadata could not be made") }
    let msgtypes = ["m.text", "m.emote", "m.notice"]
    let msgtype = msgtypes[Int(bytes.first ?? 0) % msgtypes.count]
    var w = Writer()
    _ = w.emit("user:alice", alice, EventType.member, ["membership": "join", "public_key": .string(alice.publicKey.base64),
                                                      "device_id": "alice_a1", "displayname": "Alice"])
    _ = w.emit(sender, mallory, EventType.member, ["membership": "join", "public_key": .string(mallory.publicKey.base64),
                                                  "device_id": .string(other), "displayname": .string(displayName)])
    let message = w.emit(sender, mallory, EventType.message, ["body": .string(body), "msgtype": .string(msgtype)], idTail: other)
    let reply = w.emit(sender, mallory, EventType.message, ["body": .string(reason), "msgtype": "m.text"], parent: message)
    if let message {
        _ = w.emit(sender, mallory, EventType.edit, ["replaces": .string(message), "new_content": ["body": .string(reason), "msgtype": "m.text"]])
        _ = w.emit(sender, mallory, EventType.reaction, ["relates_to": .string(message), "reaction": .string(topic)])
    }
    if let reply { _ = w.emit(sender, mallory, EventType.redaction, ["redacts": .string(reply), "reason": .string(reason)]) }
    _ = w.emit("user:alice", alice, EventType.topic, ["topic": .string(topic)])
    _ = w.emit("user:alice", alice, EventType.name, ["name": .string(displayName)])
    _ = w.emit(sender, mallory, other, ["x": .string(body)])
    _ = w.emit("user:alice", alice, EventType.member, ["membership": "kick", "user_id": .string(sender), "reason": .string(reason)])
    _ = w.emit("user:alice", alice, EventType.member, ["membership": "invite", "user_id": .string(topic)])

    // One log object per event keeps the writer trivial; verification does not care.
    var objects = [StoredObject(key: RoomObjectKey.metadataKey(roomID: roomID), bytes: metadata.bytes)]
    for event in w.events {
        let name = LogObjectName(roomID: roomID, startTs: event.timestampMs, endTs: event.timestampMs, clientID: "c\(event.timestampMs % 1000)")
        objects.append(StoredObject(key: name.key, bytes: event.lineBytes + [0x0A]))
    }
    let verification = RoomVerifier(nowMs: baseTs + 86_400_000).verify(roomID: roomID, objects: objects)
    for (i, event) in verification.accepted.enumerated() {
        let name = verification.state.members[event.event.senderID]?.displayName
        for (late, redacted) in [(false, false), (i % 2 == 0, true)] {
            guard let line = TimelineLine.render(event, late: late, displayName: name, redacted: redacted) else { continue }
            if let problem = SafeLine.problem(line) { fatalError("render: \(problem): \(line.debugDescription)") }
        }
    }
    return 0
}
