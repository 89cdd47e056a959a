import CFuse

/// A kernel poll handle kept until the file it watches becomes readable.
/// libfuse lets any thread notify it, once; it is then destroyed.
struct PollHandle: @unchecked Sendable {
    let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) { self.pointer = pointer }

    func notify() { _ = cfuse_poll_notify_destroy(pointer) }

    /// Drops a handle that is not needed (the file was readable already).
    func discard() { fuse_pollhandle_destroy(pointer) }
}
