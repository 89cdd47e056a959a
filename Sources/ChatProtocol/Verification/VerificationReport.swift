/// Why an event line was rejected (PROTOCOL.md §8), plus `file_too_large`
/// for objects over the layout's limits (§1), which this profile adds.
public enum RejectionReason: String, Sendable, CaseIterable {
    case malformedJSON = "malformed_json"
    case nonCanonical = "non_canonical"
    case schema
    case roomMismatch = "room_mismatch"
    case fileMismatch = "file_mismatch"
    case futureTimestamp = "future_timestamp"
    case duplicateConflict = "duplicate_conflict"
    case unauthorized
    case badSignature = "bad_signature"
    case unknownKey = "unknown_key"
    case fileTooLarge = "file_too_large"

    /// Whether this rejection points at tampering, forgery or a broken writer,
    /// rather than at a sender trying something the room's rules forbid.
    public var isIntegrityProblem: Bool {
        switch self {
        case .unauthorized, .unknownKey: return false
        default: return true
        }
    }
}

/// One rejected line (or object), with where it was found.
public struct Rejection: Sendable, Equatable {
    /// The event id, when the line was readable enough to have one.
    public let eventID: String?
    public let objectKey: String
    /// 1-based line number within the object; nil when the whole object was rejected.
    public let line: Int?
    public let reason: RejectionReason
    /// A sentence saying what exactly is wrong.
    public let detail: String
}

/// Kinds of integrity alarm.
public enum AlarmKind: String, Sendable {
    /// A device chain names a predecessor that is not there: something was deleted or withheld.
    case gap
    /// Two events of one key name the same predecessor, or a key has two starts: equivocation,
    /// or one key used on two live devices.
    case fork
    /// Two validly signed, different events share one event id.
    case duplicateConflict = "duplicate_conflict"
    /// metadata.json is missing.
    case missingMetadata = "missing_metadata"
    /// metadata.json is malformed, for another room, or its signature does not verify.
    case badMetadata = "bad_metadata"
    /// metadata.json names a different creator key than the one pinned on first sight.
    case creatorKeyChanged = "creator_key_changed"
    /// A shared file's bytes in the store differ from what its event says (hash or size).
    /// Raised by a reader that fetched it, never by verification, which reads no attachments.
    case attachmentMismatch = "attachment_mismatch"
    /// A shared file's bytes are not in the store. Raised by a reader that tried to fetch them.
    case attachmentMissing = "attachment_missing"
    /// An encrypted event of a private room does not open with its epoch's key,
    /// though this reader holds it: the ciphertext was damaged, or moved from
    /// another event, room or sender.
    case undecryptable
}

/// An integrity alarm: the events stay (they are authentic) but something is wrong with the log.
public struct Alarm: Sendable, Equatable {
    public let kind: AlarmKind
    public let senderID: String?
    public let eventID: String?
    public let detail: String

    public init(kind: AlarmKind, senderID: String?, eventID: String?, detail: String) {
        self.kind = kind
        self.senderID = senderID
        self.eventID = eventID
        self.detail = detail
    }
}

/// Something worth knowing that is not an integrity problem.
public struct VerificationWarning: Sendable, Equatable {
    /// `unchained` (legacy room without hash chains), `missing_newline`, `empty_line`.
    public let kind: String
    public let objectKey: String?
    public let detail: String
}

/// An accepted event and where it came from.
public struct VerifiedEvent: Sendable {
    public let event: Event
    /// `event_hash(e)`.
    public let hash: String
    public let objectKey: String
    public let line: Int
    /// The key whose signature verified; nil only in legacy rooms read without keys.
    public let signer: PublicKey?
    /// Chain alarms that touch this event (`gap`, `fork`).
    public internal(set) var marks: Set<AlarmKind>
}

/// The result of verifying one room: the timeline, the state, and every problem found.
public struct RoomVerification: Sendable {
    public let roomID: String
    public let metadata: RoomMetadata?
    /// Accepted events in timeline order `(timestamp_ms, event_id)`.
    public internal(set) var accepted: [VerifiedEvent]
    public internal(set) var rejected: [Rejection]
    /// Alarms from the log: chains, duplicates, metadata.
    var logAlarms: [Alarm]
    public internal(set) var warnings: [VerificationWarning]
    /// Keys under the room that match no pattern of the layout.
    public internal(set) var skippedKeys: [String]
    /// The resolver after the last event, for previews of what would come next.
    var resolver: RoomStateResolver
    /// The room's state after every accepted event.
    ///
    /// Read from the resolver rather than kept apart: a second copy would make
    /// every later event copy the state's tables.
    public var state: RoomState { resolver.state }

    /// Every alarm: the log's, then ciphertexts that did not open.
    public var alarms: [Alarm] {
        let sealed = resolver.state.epochs.damaged
        return sealed.isEmpty ? logAlarms : logAlarms + resolver.state.epochs.alarms
    }

    init(roomID: String, metadata: RoomMetadata?, accepted: [VerifiedEvent], rejected: [Rejection], alarms: [Alarm],
         warnings: [VerificationWarning], skippedKeys: [String], resolver: RoomStateResolver) {
        self.roomID = roomID
        self.metadata = metadata
        self.accepted = accepted
        self.rejected = rejected
        self.logAlarms = alarms
        self.warnings = warnings
        self.skippedKeys = skippedKeys
        self.resolver = resolver
    }

    /// Whether anything points at tampering, forgery, loss or a broken writer.
    /// Unauthorised attempts alone are not one.
    public var hasIntegrityProblem: Bool {
        !alarms.isEmpty || rejected.contains { $0.reason.isIntegrityProblem }
    }
}
