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
    public init?(key: String) {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0] == "rooms", parts[2] == "logs", RoomID.isValid(parts[1]),
              LogObjectName.isDateFolder(parts[3])
        else { return nil }
        let file = parts[4]
        guard file.hasPrefix("messages_"), file.hasSuffix(".jsonl") else { return nil }
        let middle = file.dropFirst("messages_".count).dropLast(".jsonl".count)
        let fields = middle.split(separator: "_", maxSplits: 2, omittingEmptySubsequences: false)
        guard fields.count == 3, let start = LogObjectName.decimal(fields[0]), let end = LogObjectName.decimal(fields[1]),
              start <= end, RoomID.isValid(fields[2])
        else { return nil }
        roomID = String(parts[1])
        dateFolder = String(parts[3])
        startTs = start
        endTs = end
        clientID = String(fields[2])
    }

    /// The object key this name stands for.
    public var key: String {
        "rooms/\(roomID)/logs/\(dateFolder)/messages_\(startTs)_\(endTs)_\(clientID).jsonl"
    }

    /// Whether the date folder is the UTC date of `start_ts`, as the layout requires.
    public var dateMatchesStart: Bool {
        dateFolder == UTCTime(milliseconds: startTs).dateFolder
    }

    /// Orders names by start time, then by key, which is the order a device wrote them in.
    public static func < (lhs: LogObjectName, rhs: LogObjectName) -> Bool {
        if lhs.startTs != rhs.startTs { return lhs.startTs < rhs.startTs }
        return lhs.key.utf8.lexicographicallyPrecedes(rhs.key.utf8)
    }

    static func isDateFolder(_ s: Substring) -> Bool {
        let b = Array(s.utf8)
        guard b.count == 10, b[4] == 0x2D, b[7] == 0x2D else { return false }
        for i in [0, 1, 2, 3, 5, 6, 8, 9] where !(b[i] >= 0x30 && b[i] <= 0x39) { return false }
        return true
    }

    /// Plain decimal: digits only, no sign, no leading zeros, within 2^53 - 1.
    static func decimal(_ s: Substring) -> Int64? {
        let b = s.utf8
        guard let first = b.first, b.count <= 16, !(first == 0x30 && b.count > 1) else { return nil }
        var value: Int64 = 0
        for c in b {
            guard c >= 0x30 && c <= 0x39 else { return nil }
            value = value * 10 + Int64(c - 0x30)
        }
        return value <= JSONParser.maxSafeInteger ? value : nil
    }
}
