import ChatProtocol

/// What a journal held when it was opened: the state the outbox resumes from.
struct JournalContents: Sendable {
    /// A batch the uploader formed but had not confirmed.
    struct OpenBatch: Sendable {
        let first: Int
        let count: Int
        let key: String
    }

    /// Ordinal of the first event not yet confirmed uploaded (everything before is in the store).
    var confirmedThrough = 0
    /// Ordinal the next event gets.
    var nextOrdinal = 0
    /// Events from ``confirmedThrough`` on, in order, with their line sizes.
    var pending: [Event] = []
    /// The journal's last event (uploaded or not): the chain continues from it.
    var lastEvent: Event?
    /// Formed but unconfirmed batches, oldest first; they cover a prefix of ``pending``.
    var openBatches: [OpenBatch] = []
    /// Bytes cut from a torn tail on open (0 when the file ended cleanly).
    var truncatedBytes = 0
    /// Size of the valid file.
    var fileBytes = 0
}
