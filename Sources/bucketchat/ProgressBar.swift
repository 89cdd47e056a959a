import Foundation
import Synchronization

/// A one-line progress bar on stderr, for a large room's first sync.
/// Shown only once there is enough to wait for, and redrawn at most 10 times a second.
final class ProgressBar: Sendable {
    private let label: String
    /// Whether anything was drawn, and when it was last drawn.
    private let drawn = Mutex<(shown: Bool, last: ContinuousClock.Instant?)>((false, nil))

    init(label: String) {
        self.label = label
    }

    func update(_ done: Int, of total: Int) {
        guard total >= 200 else { return }
        let now = ContinuousClock.now
        let draw = drawn.withLock { state -> Bool in
            if let last = state.last, now - last < .milliseconds(100), done < total { return false }
            state = (true, now)
            return true
        }
        guard draw else { return }
        let width = 30
        let filled = total > 0 ? width * done / total : width
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        FileHandle.standardError.write(Data("\r\(label) [\(bar)] \(done)/\(total) objects".utf8))
    }

    func finish() {
        if drawn.withLock({ $0.shown }) { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
