import Foundation
import ObjectStore

/// A sink that keeps what it is given, and the largest single chunk, so tests
/// can compare a download with the file and see that it came in pieces.
final class CollectingSink: ObjectSink, @unchecked Sendable {
    private let lock = NSLock()
    private var collected = Data()
    private var largest = 0
    private var calls = 0

    var bytes: Data { lock.withLock { collected } }
    var largestChunk: Int { lock.withLock { largest } }
    var chunks: Int { lock.withLock { calls } }

    func receive(_ bytes: UnsafeRawBufferPointer) throws(StoreError) {
        lock.withLock {
            collected.append(contentsOf: bytes)
            largest = max(largest, bytes.count)
            calls += 1
        }
    }
}
