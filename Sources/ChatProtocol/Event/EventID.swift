/// Event ids: `{room_id}::{YYYYMMDD}T{HHMMSS}.{mmm}Z::{uuid4}` (PROTOCOL.md §2).
public enum EventID {
    /// A new event id for a room and timestamp, with a fresh random UUID.
    public static func make(roomID: String, timestampMs: Int64) -> String {
        "\(roomID)::\(UTCTime(milliseconds: timestampMs).compact)::\(uuid4())"
    }

    /// The parts of an id of the form readers accept: exactly three `::`-separated parts.
    public static func parts(_ id: String) -> [Substring]? {
        // A byte scan: this runs for every event read, and generic splitting is slow.
        let utf8 = id.utf8
        var cuts: [String.Index] = []
        var index = utf8.startIndex
        while index < utf8.endIndex {
            let next = utf8.index(after: index)
            if utf8[index] == 0x3A, next < utf8.endIndex, utf8[next] == 0x3A {
                cuts.append(index)
                guard cuts.count <= 2 else { return nil }
                index = utf8.index(after: next)
            } else {
                index = next
            }
        }
        guard cuts.count == 2 else { return nil }
        let second = utf8.index(cuts[0], offsetBy: 2)
        let third = utf8.index(cuts[1], offsetBy: 2)
        return [id[id.startIndex..<cuts[0]], id[second..<cuts[1]], id[third..<id.endIndex]]
    }

    /// Whether an id has the form readers accept and its first part is `roomID`,
    /// by one scan of its bytes (this runs for every event read).
    static func names(room roomID: String, in id: String) -> Bool {
        let matched: Bool? = id.utf8.withContiguousStorageIfAvailable { bytes in
            var cuts = 0
            var firstCut = -1
            var i = 0
            while i + 1 < bytes.count {
                if bytes[i] == 0x3A, bytes[i + 1] == 0x3A {
                    cuts += 1
                    if cuts > 2 { return false }
                    if firstCut < 0 { firstCut = i }
                    i += 2
                } else {
                    i += 1
                }
            }
            guard cuts == 2 else { return false }
            let first = UnsafeBufferPointer(rebasing: bytes[0..<firstCut])
            return roomID.utf8.withContiguousStorageIfAvailable { first.elementsEqual($0) } ?? first.elementsEqual(roomID.utf8)
        }
        return matched ?? (parts(id).map { $0[0].utf8.elementsEqual(roomID.utf8) } ?? false)
    }

    /// The room an id names in its first part, if it has the accepted form.
    public static func roomID(of id: String) -> Substring? {
        parts(id)?.first
    }

    /// The last part of an id: the UUID for ids this profile generates.
    public static func uuidPart(of id: String) -> Substring? {
        parts(id)?.last
    }

    /// A random (version 4) UUID in lowercase text form.
    public static func uuid4() -> String {
        var bytes = RandomBytes.make(16)
        bytes[6] = bytes[6] & 0x0F | 0x40
        bytes[8] = bytes[8] & 0x3F | 0x80
        // Made for every event a device sends, so written as bytes.
        var text: [UInt8] = []
        text.reserveCapacity(36)
        for (i, b) in bytes.enumerated() {
            if i == 4 || i == 6 || i == 8 || i == 10 { text.append(UInt8(ascii: "-")) }
            text.append(hexDigits[Int(b >> 4)])
            text.append(hexDigits[Int(b & 0xF)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}
