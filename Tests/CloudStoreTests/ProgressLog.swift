import Foundation

/// What an upload's progress callback reported, in order.
final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var reported: [Int64] = []

    var values: [Int64] { lock.withLock { reported } }

    func record(_ value: Int64) { lock.withLock { reported.append(value) } }
}
