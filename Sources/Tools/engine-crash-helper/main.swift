import ChatEngine
import ChatProtocol
import Foundation
import ObjectStore

// engine-crash-helper: one device sending to a local folder store, for the
// crash tests, which SIGKILL it at a random moment and restart it.
//
//   engine-crash-helper send STORE STATE ROOM SEEDHEX COUNT [SENDERS]
//       creates the room (metadata, join) if new, sends COUNT messages from
//       SENDERS concurrent tasks, printing "ack <event_id>" as each send
//       returns, then "flushing", flushes, and prints "done".
//   engine-crash-helper drain STORE STATE ROOM SEEDHEX
//       reopens the journal, uploads what is left, prints "done".
//   engine-crash-helper share STORE STATE ROOM SEEDHEX FILE
//       creates the room if new, shares FILE through a RoomSession without
//       uploading, prints "shared <event_id>" once the share returns, then
//       waits to be killed: the blob and the event must survive in the state
//       folder for a drain to upload, blob first.

/// Writes one line with a single write(2), so a kill never leaves half a line
/// and nothing sits in a buffer: a printed ack is an acknowledged send.
func emit(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data(("engine-crash-helper: " + message + "\n").utf8))
    exit(1)
}

func seed(_ hex: String) -> [UInt8] {
    let digits = Array(hex.utf8)
    guard digits.count == 64 else { fail("the seed is 64 hex digits") }
    return stride(from: 0, to: 64, by: 2).map { i in
        guard let byte = UInt8(String(decoding: digits[i..<i + 2], as: UTF8.self), radix: 16) else { fail("the seed is not hex") }
        return byte
    }
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count >= 5, ["send", "drain", "share"].contains(arguments[0]) else {
    fail("usage: send STORE STATE ROOM SEEDHEX COUNT [SENDERS] | drain STORE STATE ROOM SEEDHEX | share STORE STATE ROOM SEEDHEX FILE")
}
let mode = arguments[0]
let store = LocalFolderStore(root: arguments[1])
let stateFolder = arguments[2]
let roomID = arguments[3]
let senderID = "user:crash"
let key: SigningKey
do { key = try SigningKey(seed: seed(arguments[4])) } catch { fail("bad seed: \(error)") }

if mode == "share" {
    guard arguments.count >= 6 else { fail("share needs a FILE") }
    do {
        let metadata = try RoomMetadata.signed(roomID: roomID, name: "crash test", createdAt: "2026-01-01T00:00:00Z",
                                               creator: senderID, key: key)
        _ = try await store.putIfAbsent(ObjectKey(RoomObjectKey.metadataKey(roomID: roomID)), Data(metadata.bytes))
        let session = try RoomSession(roomID: roomID, identity: DeviceIdentity(senderID: senderID, clientID: "crash_device", key: key),
                                      store: store, stateFolder: stateFolder)
        if await session.outbox.journaledCount == 0 {
            let join = try await session.join()
            emit("ack \(join.eventID)")
        }
        let shared = try await session.shareFile(path: arguments[5])
        emit("shared \(shared.eventID)")
        while true { try await Task.sleep(for: .seconds(60)) }
    } catch {
        fail("\(error)")
    }
}

do {
    let outbox = try Outbox(stateFolder: stateFolder, roomID: roomID, senderID: senderID, clientID: "crash_device", key: key)
    let uploader = Uploader(outbox: outbox, store: store, policy: UploadPolicy(retryCap: .milliseconds(200)))
    let uploading = Task { await uploader.run() }
    if mode == "send" {
        let count = arguments.count > 5 ? Int(arguments[5]) ?? 100 : 100
        let senders = arguments.count > 6 ? Int(arguments[6]) ?? 4 : 4
        let metadata = try RoomMetadata.signed(roomID: roomID, name: "crash test", createdAt: "2026-01-01T00:00:00Z",
                                               creator: senderID, key: key)
        _ = try await store.putIfAbsent(ObjectKey(RoomObjectKey.metadataKey(roomID: roomID)), Data(metadata.bytes))
        if await outbox.journaledCount == 0 {
            let join = try await outbox.send(type: "m.room.member", content: JSONObject([
                ("membership", "join"), ("public_key", .string(key.publicKey.base64)), ("device_id", "crash_device"),
            ]))
            emit("ack \(join.eventID)")
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for sender in 0..<senders {
                group.addTask {
                    for i in stride(from: sender, to: count, by: senders) {
                        let event = try await outbox.send(type: "m.room.message", content: JSONObject([
                            ("body", .string("message \(i)")), ("msgtype", "m.text"),
                        ]))
                        emit("ack \(event.eventID)")
                    }
                }
            }
            try await group.waitForAll()
        }
    }
    emit("flushing")
    try await outbox.flush()
    uploading.cancel()
    emit("done")
} catch {
    fail("\(error)")
}
