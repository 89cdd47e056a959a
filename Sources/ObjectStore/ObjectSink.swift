/// Receives an object's bytes in order, as they arrive from the store.
///
/// A download streams into a sink instead of a buffer, so a reader of a large
/// object holds a few chunks in memory, never the object; the sink can write
/// the bytes to a file and hash them on the way. The store calls it from one
/// thread at a time, in order; an error it throws stops the transfer.
public protocol ObjectSink: AnyObject, Sendable {
    func receive(_ bytes: UnsafeRawBufferPointer) throws(StoreError)
}
