import ChatProtocol

// Fuzzes the object-key classifiers (PROTOCOL.md §1): `LogObjectName(key:)`
// and `RoomObjectKey(key:)`.
//
// Invariants: nothing crashes; a parsed log name's `.key` is byte-for-byte
// the key it came from (one name, one key: two different keys must never
// stand for the same log object) and parses back to an equal name; a key
// classified as a room object classifies the same way again from its parts.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzObjectKey(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let key = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)

    if let name = LogObjectName(key: key) {
        guard name.key.utf8.elementsEqual(key.utf8) else { fatalError("log name re-encodes differently: \(name.key)") }
        guard let back = LogObjectName(key: name.key), back == name else { fatalError("log name does not round-trip") }
        guard name.startTs <= name.endTs else { fatalError("log name with start after end") }
    }

    switch RoomObjectKey(key: key) {
    case .log(let name)?:
        guard name.key.utf8.elementsEqual(key.utf8) else { fatalError("room log key re-encodes differently") }
    case .metadata(let roomID)?:
        let rebuilt = RoomObjectKey.metadataKey(roomID: roomID)
        guard rebuilt.utf8.elementsEqual(key.utf8), RoomObjectKey(key: rebuilt) == .metadata(roomID: roomID) else {
            fatalError("metadata key does not round-trip")
        }
    case .attachment(let roomID, let sha256)?:
        let rebuilt = RoomObjectKey.roomPrefix(roomID: roomID) + "attachments/" + sha256
        guard rebuilt.utf8.elementsEqual(key.utf8), RoomObjectKey(key: rebuilt) == .attachment(roomID: roomID, sha256: sha256) else {
            fatalError("attachment key does not round-trip")
        }
    case nil:
        break
    }
    return 0
}
