import ChatEngine
import Dispatch

/// Runs async engine work to completion from a FUSE thread.
///
/// FUSE callbacks are synchronous C calls on libfuse's own threads (not the
/// Swift concurrency pool), so they may block. Only work that touches the
/// local journal goes through ``wait(_:)``; the one exception, `fsync` on
/// `send`, waits for the upload through ``wait(interrupted:_:)``, which a
/// signal ends.
enum Blocking {
    /// The outcome, written by the task before it signals the semaphore.
    private final class Outcome<T>: @unchecked Sendable {
        var value: Result<T, EngineError>?
    }

    static func wait<T: Sendable>(_ body: @escaping @Sendable () async throws(EngineError) -> T) throws(EngineError) -> T {
        let outcome = Outcome<T>()
        let done = DispatchSemaphore(value: 0)
        Task {
            do throws(EngineError) {
                outcome.value = .success(try await body())
            } catch {
                outcome.value = .failure(error)
            }
            done.signal()
        }
        done.wait()
        guard let value = outcome.value else { throw EngineError(.cancelled, "The operation ended without a result.") }
        return try value.get()
    }

    /// Like ``wait(_:)``, but checks `interrupted` every 200 ms and then
    /// cancels the work and throws ``EngineError/Code/cancelled``.
    static func wait<T: Sendable>(interrupted: () -> Bool, _ body: @escaping @Sendable () async throws(EngineError) -> T) throws(EngineError) -> T {
        let outcome = Outcome<T>()
        let done = DispatchSemaphore(value: 0)
        let task = Task {
            do throws(EngineError) {
                outcome.value = .success(try await body())
            } catch {
                outcome.value = .failure(error)
            }
            done.signal()
        }
        while done.wait(timeout: .now() + .milliseconds(200)) == .timedOut {
            if interrupted() {
                task.cancel()
                throw EngineError(.cancelled, "Interrupted by a signal; what was written stays journaled and is still uploaded.")
            }
        }
        guard let value = outcome.value else { throw EngineError(.cancelled, "The operation ended without a result.") }
        return try value.get()
    }
}
