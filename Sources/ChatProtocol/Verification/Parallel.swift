import Dispatch
import Foundation

/// Data-parallel map over the machine's cores.
public enum Parallel {
    /// `body(i)` for every i in `0..<count`, computed concurrently, in index order.
    public static func map<T: Sendable>(count: Int, _ body: @Sendable (Int) -> T) -> [T] {
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

extension Parallel {
    /// `transform` of every element, computed in a few chunks at once and
    /// written straight into the result (no per-chunk arrays to join).
    /// Inlinable, so that callers in other modules get it specialised for
    /// their types rather than copying values through witness tables.
    @inlinable
    public static func map<T: Sendable, U: Sendable>(_ items: [T], _ transform: @Sendable (T) -> U) -> [U] {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        guard items.count >= 4096, cores > 1 else { return items.map(transform) }
        let chunks = cores * 2
        let size = (items.count + chunks - 1) / chunks
        return [U](unsafeUninitializedCapacity: items.count) { buffer, initialized in
            let target = Filling(buffer: buffer)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                for i in (chunk * size)..<min(items.count, (chunk + 1) * size) { target.initialize(i, to: transform(items[i])) }
            }
            initialized = items.count
        }
    }
}

/// The uninitialized storage of a result that concurrent chunks fill.
///
/// Unchecked: each chunk writes only its own indices, and the array is read
/// only after every chunk is done (`concurrentPerform` returns).
@usableFromInline
struct Filling<U>: @unchecked Sendable {
    @usableFromInline let buffer: UnsafeMutableBufferPointer<U>

    @inlinable
    init(buffer: UnsafeMutableBufferPointer<U>) {
        self.buffer = buffer
    }

    @inlinable
    func initialize(_ index: Int, to value: U) {
        (buffer.baseAddress! + index).initialize(to: value)
    }

    func deinitialize(_ range: Range<Int>) {
        guard !range.isEmpty else { return }
        (buffer.baseAddress! + range.lowerBound).deinitialize(count: range.count)
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
