import Foundation

/// A signal, as the kernel's interrupt request would bring it: set from a
/// test, read by a blocked filesystem call.
final class InterruptFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var raised = false

    func raise() { lock.withLock { raised = true } }

    var isRaised: Bool { lock.withLock { raised } }
}
