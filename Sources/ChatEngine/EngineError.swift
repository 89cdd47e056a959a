/// The one error type of the engine layer.
///
/// Carries a ``Code`` callers can switch on, a message that names the room,
/// key or path involved and says what to do, and the underlying cause.
public struct EngineError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, in a form callers can switch on.
    public enum Code: String, Sendable {
        /// The journal file could not be opened, written or fsynced.
        case journalIO = "journal_io"
        /// The journal holds records that contradict each other (not a torn tail).
        case journalCorrupt = "journal_corrupt"
        /// An earlier write or fsync of the journal failed; nothing more is accepted.
        case journalFailed = "journal_failed"
        /// The event could not be built or signed.
        case invalidEvent = "invalid_event"
        /// The store holds a different object under the name of one of our batches.
        case conflict
        /// The store refused the upload in a way retrying will not fix (access, bucket, key).
        case storeRefused = "store_refused"
        /// The store failed in a way that may pass (network, server error); the uploader retries.
        case storeUnavailable = "store_unavailable"
        /// The caller's task was cancelled while waiting.
        case cancelled
        /// The room's rules forbid the action (PROTOCOL.md §6, §7); nothing was sent.
        case forbidden
        /// No such room, event or identity.
        case notFound = "not_found"
        /// An event reference matches more than one event.
        case ambiguous
        /// Another process holds the room's journal.
        case busy
        /// A file to share is larger than the client's limit (``FileLimit``).
        case fileTooLarge = "file_too_large"
        /// A local file (to share, or an attachment being saved) could not be read or written.
        case fileIO = "file_io"
        /// An attachment in the store differs from what its event says (hash or size).
        case attachmentMismatch = "attachment_mismatch"
        /// An attachment an event names is not in the store.
        case attachmentMissing = "attachment_missing"
    }

    public let code: Code
    public let message: String
    public let cause: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String {
        if let cause { return "\(message) (cause: \(cause))" }
        return message
    }
}
