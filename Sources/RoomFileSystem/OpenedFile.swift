/// What `open` hands back: the handle later calls name, and how the kernel
/// may cache the file (see docs/fuse.md).
public struct OpenedFile: Sendable, Equatable {
    public let handle: UInt64
    /// Every read goes to the daemon and the size from `stat` is ignored:
    /// for files whose content is a snapshot taken at open or a stream.
    public let directIO: Bool
    /// Reads cannot seek (`follow`).
    public let nonSeekable: Bool
}
