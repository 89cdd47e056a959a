/// Room and client ids: `[A-Za-z0-9_-]{1,64}` (PROTOCOL.md §1).
public enum RoomID {
    /// Whether a room id (or client id) has the allowed form.
    public static func isValid(_ id: some StringProtocol) -> Bool {
        isValid(bytes: id.utf8)
    }

    static func isValid(bytes: some Collection<UInt8>) -> Bool {
        guard bytes.count >= 1, bytes.count <= 64 else { return false }
        return bytes.allSatisfy(isIDByte)
    }

    /// A new room id: `room_` and 12 random lowercase base32 characters.
    public static func generate() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567")
        return "room_" + String(RandomBytes.make(12).map { alphabet[Int($0 & 31)] })
    }

    static func isIDByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F || b == 0x2D
    }
}
