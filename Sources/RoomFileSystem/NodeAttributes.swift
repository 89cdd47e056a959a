/// What `stat` shows of a node: its kind, honest permission bits, exact size.
public struct NodeAttributes: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case directory, file, symlink
    }

    public let kind: Kind
    /// Permission bits only (no file type bits).
    public let mode: UInt32
    public let size: Int
    public let links: Int
    /// Last change, in milliseconds since 1970.
    public let modifiedMs: Int64

    public init(kind: Kind, mode: UInt32, size: Int, links: Int = 1, modifiedMs: Int64) {
        self.kind = kind
        self.mode = mode
        self.size = size
        self.links = links
        self.modifiedMs = modifiedMs
    }
}
