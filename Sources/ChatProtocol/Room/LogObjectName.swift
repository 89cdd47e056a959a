/// The name of a log object:
/// `rooms/{room_id}/logs/{YYYY-MM-DD}/messages_{start_ts}_{end_ts}_{client_id}.jsonl`.
///
/// Keys are relative to the store's prefix (PROTOCOL.md §1).
public struct LogObjectName: Sendable, Hashable, Comparable {
    public let roomID: String
    /// The date folder as written in the key.
    public let dateFolder: String
    public let startTs: Int64
    public let endTs: Int64
    public let clientID: String

    public init(roomID: String, startTs: Int64, endTs: Int64, clientID: String) {
        self.roomID = roomID
        self.dateFolder = UTCTime(milliseconds: startTs).dateFolder
        self.startTs = startTs
        self.endTs = endTs
        self.clientID = clientID
    }

    /// Parses a key; nil when it does not match the pattern.
    ///
    /// Byte by byte: every part of a valid key is ASCII, and this runs for
    /// every object of every listing (ten thousand in a large room).
    public init?(key: String) {
        let parsed: (String, String, Int64, Int64, String)?? = key.utf8.withContiguousStorageIfAvailable { LogObjectName.parse($0) }
        guard let fields = parsed ?? LogObjectName.parse(Array(key.utf8)) else { return nil }
        (roomID, dateFolder, startTs, endTs, clientID) = fields
    }

    private static func parse(_ bytes: some Collection<UInt8>) -> (String, String, Int64, Int64, String)? {
        let key = Array(bytes)
        return key.withUnsafeBufferPointer { parse($0) }
    }

    private static func parse(_ key: UnsafeBufferPointer<UInt8>) -> (String, String, Int64, Int64, String)? {
        var parts: [Range<Int>] = []
        var start = 0
        for i in 0..<key.count where key[i] == UInt8(ascii: "/") {
            parts.append(start..<i)
            start = i + 1
            if parts.count > 4 { return nil }
        }
        parts.append(start..<key.count)
        guard parts.count == 5 else { return nil }
        func bytes(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: key[range]) }
        func text(_ range: Range<Int>) -> String { String(decoding: bytes(range), as: UTF8.self) }
        guard bytes(parts[0]).elementsEqual("rooms".utf8), RoomID.isValid(bytes: bytes(parts[1])),
              bytes(parts[2]).elementsEqual("logs".utf8), isDateFolder(bytes(parts[3]))
        else { return nil }
        let file = bytes(parts[4])
        let prefix = "messages_".utf8.count, suffix = ".jsonl".utf8.count
        guard file.count >= prefix + suffix, file.starts(with: "messages_".utf8),
              file[(file.count - suffix)...].elementsEqual(".jsonl".utf8)
        else { return nil }
        let middle = (parts[4].lowerBound + prefix)..<(parts[4].upperBound - suffix)
        guard let first = middle.first(where: { key[$0] == UInt8(ascii: "_") }),
              let second = ((first + 1)..<middle.upperBound).first(where: { key[$0] == UInt8(ascii: "_") }),
              let start = decimal(bytes(middle.lowerBound..<first)), let end = decimal(bytes((first + 1)..<second)),
              start <= end, RoomID.isValid(bytes: bytes((second + 1)..<middle.upperBound))
        else { return nil }
        return (text(parts[1]), text(parts[3]), start, end, text((second + 1)..<middle.upperBound))
    }

    /// The object key this name stands for.
    public var key: String {
        "rooms/\(roomID)/logs/\(dateFolder)/messages_\(startTs)_\(endTs)_\(clientID).jsonl"
    }

    /// Whether the date folder is the UTC date of `start_ts`, as the layout requires.
    public var dateMatchesStart: Bool {
        dateFolder == UTCTime(milliseconds: startTs).dateFolder
    }

    /// How far a writer's local clock may be from UTC: the time zones in use
    /// run from UTC−12 to UTC+14.
    public static let maxLocalOffsetMs: Int64 = 14 * 3_600_000

    /// Whether the date folder is the local date of `start_ts` in some time
    /// zone within ``maxLocalOffsetMs`` of UTC, though not the UTC date: what
    /// the reference client writes, since it names folders by local time.
    public var dateIsLocalDateOfStart: Bool {
        guard !dateMatchesStart else { return false }
        // Dates only grow with time, and YYYY-MM-DD compares as text.
        let earliest = UTCTime(milliseconds: startTs - LogObjectName.maxLocalOffsetMs).dateFolder
        let latest = UTCTime(milliseconds: startTs + LogObjectName.maxLocalOffsetMs).dateFolder
        return earliest <= dateFolder && dateFolder <= latest
    }

    /// Orders names by start time, then by key, which is the order a device wrote them in.
    public static func < (lhs: LogObjectName, rhs: LogObjectName) -> Bool {
        if lhs.startTs != rhs.startTs { return lhs.startTs < rhs.startTs }
        return lhs.key.precedesInBytes(rhs.key)
    }

    static func isDateFolder(_ s: Substring) -> Bool {
        Array(s.utf8).withUnsafeBufferPointer { isDateFolder($0) }
    }

    static func isDateFolder(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard b.count == 10, b[4] == 0x2D, b[7] == 0x2D else { return false }
        for i in [0, 1, 2, 3, 5, 6, 8, 9] where !(b[i] >= 0x30 && b[i] <= 0x39) { return false }
        return true
    }

    /// Plain decimal: digits only, no sign, no leading zeros, within 2^53 - 1.
    static func decimal(_ s: Substring) -> Int64? {
        Array(s.utf8).withUnsafeBufferPointer { decimal($0) }
    }

    static func decimal(_ b: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard let first = b.first, b.count <= 16, !(first == 0x30 && b.count > 1) else { return nil }
        var value: Int64 = 0
        for c in b {
            guard c >= 0x30 && c <= 0x39 else { return nil }
            value = value * 10 + Int64(c - 0x30)
        }
        return value <= JSONParser.maxSafeInteger ? value : nil
    }
}
