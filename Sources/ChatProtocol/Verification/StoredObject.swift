/// An object read from a store: its key (relative to the store prefix) and bytes.
public struct StoredObject: Sendable {
    public let key: String
    public let bytes: [UInt8]

    public init(key: String, bytes: [UInt8]) {
        self.key = key
        self.bytes = bytes
    }
}
