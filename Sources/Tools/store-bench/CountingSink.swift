import ObjectStore

/// A sink that only counts, so a download's rate is the store's, not a disk's.
final class CountingSink: ObjectSink, @unchecked Sendable {
    // Written by one transfer at a time, read after it ends.
    private(set) var count: Int64 = 0

    func receive(_ bytes: UnsafeRawBufferPointer) throws(StoreError) { count += Int64(bytes.count) }
}
