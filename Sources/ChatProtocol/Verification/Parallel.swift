import Dispatch
import Foundation

/// Data-parallel map over the machine's cores.
enum Parallel {
    /// `body(i)` for every i in `0..<count`, computed concurrently, in index order.
    static func map<T: Sendable>(count: Int, _ body: @Sendable (Int) -> T) -> [T] {
        guard count > 1, ProcessInfo.processInfo.activeProcessorCount > 1 else {
            return (0..<count).map(body)
        }
        let results = Slots<T>(count: count)
        DispatchQueue.concurrentPerform(iterations: count) { index in
            results.store(body(index), at: index)
        }
        return results.values()
    }
}

/// Write-once slots that concurrent workers fill at distinct indices.
///
/// Each index is written by exactly one worker and read only after
/// `concurrentPerform` returns, which orders the writes before the reads.
private final class Slots<T>: @unchecked Sendable {
    private let buffer: UnsafeMutableBufferPointer<T?>

    init(count: Int) {
        buffer = .allocate(capacity: count)
        buffer.initialize(repeating: nil)
    }

    deinit {
        buffer.deinitialize()
        buffer.deallocate()
    }

    func store(_ value: T, at index: Int) {
        buffer[index] = value
    }

    func values() -> [T] {
        buffer.compactMap { $0 }
    }
}
