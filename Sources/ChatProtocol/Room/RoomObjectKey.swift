/// What an object key under `rooms/` stands for.
public enum RoomObjectKey: Sendable, Equatable {
    case metadata(roomID: String)
    case log(LogObjectName)
    case attachment(roomID: String, sha256: String)

    /// Classifies a key relative to the store prefix; nil for keys that match no pattern.
    public init?(key: String) {
        if let log = LogObjectName(key: key) {
            self = .log(log)
            return
        }
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 3, parts[0] == "rooms", RoomID.isValid(parts[1]) else { return nil }
        if parts.count == 3, parts[2] == "metadata.json" {
            self = .metadata(roomID: String(parts[1]))
        } else if parts.count == 4, parts[2] == "attachments", parts[3].utf8.count == 64,
                  parts[3].utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }) {
            self = .attachment(roomID: String(parts[1]), sha256: String(parts[3]))
        } else {
            return nil
        }
    }

    /// The key of a room's metadata object.
    public static func metadataKey(roomID: String) -> String { "rooms/\(roomID)/metadata.json" }

    /// The key of a room's attachment: its bytes, named by their SHA-256 (lowercase hex).
    public static func attachmentKey(roomID: String, sha256: String) -> String { "rooms/\(roomID)/attachments/\(sha256)" }

    /// The prefix every object of a room shares.
    public static func roomPrefix(roomID: String) -> String { "rooms/\(roomID)/" }
}
