/// What `open` hands back: the handle later calls name, and how the kernel
/// may cache the file (see docs/fuse.md).
public struct OpenResult: Sendable, Equatable {
    public let handle: UInt64
    /// Every read goes to the daemon and the size from `stat` is ignored:
    /// for files whose content is a snapshot taken at open or a stream.
    public let directIO: Bool
    /// Reads cannot seek (`follow`).
    public let nonSeekable: Bool
    /// Pages cached by an earlier open stay valid: true for the append-only
    /// files, whose bytes never change once shown. Growth still shows: the
    /// kernel drops a file's cached pages when `getattr` reports a new size.
    public var keepCache: Bool { !directIO }
}
