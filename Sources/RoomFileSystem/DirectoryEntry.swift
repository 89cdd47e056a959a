/// One name in a directory listing.
public struct DirectoryEntry: Sendable, Equatable {
    public let name: String
    public let kind: NodeAttributes.Kind

    public init(_ name: String, _ kind: NodeAttributes.Kind) {
        self.name = name
        self.kind = kind
    }
}
