/// What a ``RoomLedger`` remembers about the end of a room's timeline so that
/// new objects can usually be added without re-running the room-wide stages.
///
/// New events can skip the full re-run when nothing they could change has been
/// decided yet: they sort after every event authorisation has seen (appended),
/// or they are plain messages that sort after the last event whose verdict or
/// effect depends on what comes before it (slotted in). Each one must also
/// extend its key's hash chain at the tip, so the chain audit's findings stay
/// as they are. Anything else (duplicates, forks, a gap closing, new keys that
/// verify old lines, a new metadata object) takes the full path.
struct TimelineFrontier: Sendable {
    /// The latest event, in timeline order, that authorisation has seen.
    var last: TimelinePosition?
    /// The latest event that was rejected or changed membership: plain
    /// messages that sort before it must go through the full path, since they
    /// could change its verdict or be judged by a membership that no longer holds.
    var barrier: TimelinePosition?
    /// The ids of the room's lines that are in no accepted event (rejected,
    /// or merged as duplicates). With the ids of accepted events, which the
    /// state's table of events holds, these are every id among the lines;
    /// keeping only these keeps a second million-entry set out of memory.
    var unacceptedIDs: Set<ExactString>
    /// The newest verified event of each key's chain.
    var tips: [PublicKey: ChainTip]
    /// Predecessor hashes that a gap alarm reported missing: an event with
    /// one of these hashes closes a gap, which changes the findings.
    var missingPrevs: Set<ExactString>
}

/// Where an event sorts in the timeline: `(timestamp_ms, event_id)`, ids compared by bytes.
struct TimelinePosition: Comparable, Sendable {
    let timestampMs: Int64
    let eventID: String

    init(timestampMs: Int64, eventID: String) {
        self.timestampMs = timestampMs
        self.eventID = eventID
    }

    init(_ event: Event) {
        self.init(timestampMs: event.timestampMs, eventID: event.eventID)
    }

    static func < (a: TimelinePosition, b: TimelinePosition) -> Bool {
        a.timestampMs != b.timestampMs ? a.timestampMs < b.timestampMs : a.eventID.precedesInBytes(b.eventID)
    }

    static func == (a: TimelinePosition, b: TimelinePosition) -> Bool {
        a.timestampMs == b.timestampMs && a.eventID.hasSameBytes(as: b.eventID)
    }
}

/// The newest verified event of one key's hash chain.
struct ChainTip: Sendable {
    let hash: ExactString
    let timestampMs: Int64
    /// Whether some event of the key already names this one as its predecessor
    /// (a link back in time): a second successor would be a fork.
    let linked: Bool
}
