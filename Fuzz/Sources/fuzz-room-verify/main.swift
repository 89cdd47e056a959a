import ChatProtocol

// Fuzzes whole-room verification (`RoomVerifier.verify(roomID:objects:)`) on
// fuzzer-made stores.
//
// Input: objects as `KEY NUL BYTES NUL KEY NUL BYTES ...` (a later copy of a
// key replaces an earlier one, as a store holds one object per key). The seed
// corpus is the signed vector room of Tests/ChatProtocolTests/Fixtures/room in
// this form, so mutations reach signatures, chains, duplicates and forks.
//
// Invariants: nothing crashes, and verification is deterministic: the same
// objects, in any order, give the same accepted events, rejections, alarms,
// warnings and state (it runs in parallel inside, which must not show); and
// a `RoomLedger` fed the objects one at a time, as a live reader is (taking
// its short path where it applies), ends where one full run does; and that
// ledger written as a snapshot and restored gives the same verification.

let roomID = "room_vectors01"
// After every timestamp of the vector room, so `future_timestamp` depends on the input only.
let nowMs: Int64 = 1_760_000_000_000

func summary(_ v: RoomVerification) -> [String] {
    var out: [String] = []
    for e in v.accepted {
        out.append("A \(e.event.eventID) \(e.hash) \(e.objectKey):\(e.line) \(e.signer?.base64 ?? "-") \(e.marks.map(\.rawValue).sorted())")
    }
    for r in v.rejected { out.append("R \(r.eventID ?? "-") \(r.objectKey):\(r.line ?? 0) \(r.reason.rawValue) \(r.detail)") }
    for a in v.alarms { out.append("L \(a.kind.rawValue) \(a.senderID ?? "-") \(a.eventID ?? "-") \(a.detail)") }
    for w in v.warnings { out.append("W \(w.kind) \(w.objectKey ?? "-") \(w.detail)") }
    for k in v.skippedKeys { out.append("S \(k)") }
    out.append("N \(v.state.name ?? "-") T \(v.state.topic ?? "-") R \(v.state.redacted)")
    for (id, m) in v.state.members.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
        out.append("M \(id) \(m.membership.rawValue) \(m.displayName ?? "-") \(m.keys.map(\.base64)) \(m.revokedKeys.map(\.base64))")
    }
    return out
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRoomVerify(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let parts = UnsafeBufferPointer(start: data, count: size).split(separator: 0, omittingEmptySubsequences: false)
    var byKey: [String: [UInt8]] = [:]
    var order: [String] = []
    var i = 0
    while i + 1 < parts.count {
        let key = String(decoding: parts[i], as: UTF8.self)
        if byKey[key] == nil { order.append(key) }
        byKey[key] = Array(parts[i + 1])
        i += 2
    }
    let objects = order.map { StoredObject(key: $0, bytes: byKey[$0] ?? []) }
    let verifier = RoomVerifier(nowMs: nowMs)
    let first = summary(verifier.verify(roomID: roomID, objects: objects))
    let second = summary(verifier.verify(roomID: roomID, objects: objects.reversed()))
    guard first == second else {
        let diff = zip(first, second).first { $0 != $1 }
        fatalError("verification is not deterministic: \(diff.map { "\($0.0) | \($0.1)" } ?? "\(first.count) vs \(second.count) lines")")
    }
    // Speculative signature checks try at most 8 declared keys per sender, and
    // which 8 depends on the order keys were seen: past that the chain audit
    // may see other signers, by design. Compare only below the cap.
    guard declaredKeysPerSender(objects).values.allSatisfy({ $0 <= 8 }) else { return 0 }
    var ledger = RoomLedger(roomID: roomID, verifier: verifier)
    ledger.ingest([])
    for object in objects { ledger.ingest([object]) }
    let incremental = summary(ledger.verification)
    guard incremental == first else {
        let diff = zip(first, incremental).first { $0 != $1 }
        fatalError("one object at a time differs from one run: \(diff.map { "\($0.0) | \($0.1)" } ?? "\(first.count) vs \(incremental.count) lines")")
    }
    let versions = Dictionary(objects.map { ($0.key, "\($0.bytes.count)") }, uniquingKeysWith: { a, _ in a })
    if let snapshot = ledger.snapshot(version: { versions[$0] }) {
        guard let restored = RoomLedger.restore(SnapshotBytes(snapshot.bytes), roomID: roomID, verifier: verifier, versions: versions) else {
            fatalError("a snapshot just written does not restore")
        }
        let again = summary(restored.verification)
        guard again == first else {
            let diff = zip(first, again).first { $0 != $1 }
            fatalError("the restored snapshot differs: \(diff.map { "\($0.0) | \($0.1)" } ?? "\(first.count) vs \(again.count) lines")")
        }
    }
    return 0
}

/// Distinct keys each sender's joins declare, over every line that parses.
func declaredKeysPerSender(_ objects: [StoredObject]) -> [String: Int] {
    var keys: [String: Set<String>] = [:]
    for object in objects {
        for line in object.bytes.split(separator: 0x0A) {
            guard let value = try? JSONParser().parse(line), let event = try? Event(json: value),
                  case .member(let m) = event.content, m.membership == .join, let key = m.publicKey else { continue }
            keys[event.senderID, default: []].insert(key.base64)
        }
    }
    return keys.mapValues(\.count)
}
