import Foundation
import ObjectStore
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One room's journal for one device: an append-only file of checksummed
/// records (see ``JournalRecord``) with group commit.
///
/// ``submit(_:completion:)`` queues records and returns at once; the records
/// are written and fsynced on the journal's own serial queue, never on
/// Swift's cooperative pool, and `completion` runs once they are durable.
/// Records that arrive while an fsync is in flight wait and share the next
/// one, so N concurrent senders cost far fewer than N fsyncs. Records reach
/// the file in submission order.
public final class Journal: Sendable {
    /// Called with the outcome once a submission is durable (or failed).
    public typealias Completion = @Sendable (Result<Void, EngineError>) -> Void

    /// The journal file.
    public let path: String
    private let descriptor: Int32
    /// Runs every write and fsync of this file, one after another.
    private let queue: DispatchQueue
    /// Called just before each fsync (tests slow the disk down or count).
    private let syncHook: (@Sendable () -> Void)?
    /// Protects the commit state: bytes not yet handed to the queue, their
    /// completions, whether a drain is running, the fsync count, and the
    /// sticky failure.
    private let commit = Mutex(CommitState())

    private struct CommitState {
        var pending: [JournalRecord] = []
        var completions: [Completion] = []
        var draining = false
        var syncCount = 0
        var failure: EngineError?
    }

    init(path: String, descriptor: Int32, syncHook: (@Sendable () -> Void)?) {
        self.path = path
        self.descriptor = descriptor
        self.syncHook = syncHook
        self.queue = DispatchQueue(label: "bucketchat.journal", qos: .userInitiated)
    }

    deinit { close(descriptor) }

    /// How many fsyncs the journal has made since it was opened.
    public var syncCount: Int { commit.withLock { $0.syncCount } }

    /// Queues records for the file; `completion` runs on the journal's queue
    /// once they (and everything submitted before them) are fsynced.
    func submit(_ records: [JournalRecord], completion: @escaping Completion) {
        let outcome: (start: Bool, failure: EngineError?) = commit.withLock { state in
            if let failure = state.failure { return (false, failure) }
            // Encoding (and its checksum) happens on the journal's queue, off the caller.
            state.pending += records
            state.completions.append(completion)
            if state.draining { return (false, nil) }
            state.draining = true
            return (true, nil)
        }
        if let failure = outcome.failure {
            completion(.failure(failure))
        } else if outcome.start {
            queue.async { self.drain() }
        }
    }

    /// Appends records and returns once they are durable.
    func append(_ records: [JournalRecord], isolation: isolated (any Actor)? = #isolation) async throws(EngineError) {
        // The continuation body runs synchronously in the caller's isolation,
        // so an actor that submits in order gets its records on disk in order.
        let result: Result<Void, EngineError> = await withCheckedContinuation(isolation: isolation) { continuation in
            submit(records) { continuation.resume(returning: $0) }
        }
        try result.get()
    }

    /// Writes and fsyncs whatever is pending, group by group, until nothing is.
    private func drain() {
        while true {
            let group: (records: [JournalRecord], completions: [Completion])? = commit.withLock { state in
                if state.pending.isEmpty {
                    state.draining = false
                    return nil
                }
                defer {
                    state.pending = []
                    state.completions = []
                }
                return (state.pending, state.completions)
            }
            guard let group else { return }
            var bytes: [UInt8] = []
            for record in group.records { record.encode(into: &bytes) }
            let result = writeAndSync(bytes)
            commit.withLock { state in
                state.syncCount += 1
                if case .failure(let error) = result, state.failure == nil {
                    // After a failed write or fsync the file's contents are unknown
                    // (the kernel may have dropped dirty pages): accept nothing more.
                    state.failure = EngineError(.journalFailed, "The journal \(path) failed earlier and accepts no more events. Restart the client; it recovers from what is on disk.", cause: error)
                }
            }
            for completion in group.completions { completion(result) }
        }
    }

    private func writeAndSync(_ bytes: [UInt8]) -> Result<Void, EngineError> {
        if let failure = bytes.withUnsafeBytes({ SystemFile.writeAll(descriptor, $0) }) {
            return .failure(EngineError(.journalIO, "Could not write the journal \(path): \(String(cString: strerror(failure.errno))). Check free space and permissions.", cause: failure))
        }
        syncHook?()
        if fsync(descriptor) != 0 {
            return .failure(EngineError(.journalIO, "Could not fsync the journal \(path): \(String(cString: strerror(errno))). Check the disk."))
        }
        return .success(())
    }
}
