/// The per-object stage of verification: splits a log object into lines and
/// checks each on its own (PROTOCOL.md §8 steps 2–3, up to the signature).
///
/// Objects are independent here, so many run in parallel.
struct LogFileParser: Sendable {
    /// Limits of PROTOCOL.md §1.
    static let maxFileBytes = 16 << 20
    static let maxLineBytes = 65_536
    static let maxEventsPerFile = 10_000
    /// How far ahead of the reader's clock a timestamp may be: one hour.
    static let futureToleranceMs: Int64 = 3_600_000

    let roomID: String
    let nowMs: Int64
    /// Whether the room is a legacy one (no `creator_key`): there a date folder
    /// that is the local date of `start_ts` within ±14 h of UTC is the reference
    /// client's habit, a `local_time_folder` warning rather than `file_mismatch`.
    /// Decided here, per object, so the canonical and the strict line paths agree.
    var legacy = false

    init(roomID: String, nowMs: Int64, legacy: Bool = false) {
        self.roomID = roomID
        self.nowMs = nowMs
        self.legacy = legacy
    }

    /// A line that passed the per-line checks, ready for signature checks.
    ///
    /// It does not keep the canonical bytes: they are made again where the
    /// signature is checked, which costs less than holding them for every event.
    ///
    /// A class: lines are sorted, grouped and passed between stages by the
    /// hundred thousand, and copying the struct would retain every field each time.
    final class Line: Sendable {
        let event: Event
        let signature: [UInt8]
        let objectKey: String
        let line: Int
        /// Where the line's bytes are in its object (newline excluded).
        let range: Range<Int>
        /// A rejection found while the event may still be authentic (file or clock
        /// mismatch): the event stays out of the timeline but counts in its chain.
        let earlyRejection: (reason: RejectionReason, detail: String)?

        init(event: Event, signature: [UInt8], objectKey: String, line: Int, range: Range<Int>,
             earlyRejection: (reason: RejectionReason, detail: String)?) {
            self.event = event
            self.signature = signature
            self.objectKey = objectKey
            self.line = line
            self.range = range
            self.earlyRejection = earlyRejection
        }
    }

    enum Outcome {
        case line(Line)
        case rejected(Rejection)
    }

    struct Result: Sendable {
        var lines: [Line] = []
        var rejections: [Rejection] = []
        var warnings: [VerificationWarning] = []
    }

    func parse(key: String, name: LogObjectName, bytes: ArraySlice<UInt8>) -> Result {
        var result = Result()
        guard bytes.count <= LogFileParser.maxFileBytes else {
            result.rejections.append(Rejection(eventID: nil, objectKey: key, line: nil, reason: .fileTooLarge,
                                               detail: "object is \(bytes.count) bytes, over the 16 MiB limit; none of it was read"))
            return result
        }
        let fileMismatch: String?
        if name.dateMatchesStart {
            fileMismatch = nil
        } else if legacy && name.dateIsLocalDateOfStart {
            fileMismatch = nil
            result.warnings.append(VerificationWarning(kind: "local_time_folder", objectKey: key,
                detail: "legacy room: the date folder \(name.dateFolder) is not the UTC date of start_ts \(name.startTs) (\(UTCTime(milliseconds: name.startTs).dateFolder)) but its local date within 14 h of UTC, as the reference client names folders"))
        } else {
            fileMismatch = "the date folder \(name.dateFolder) is not the UTC date of start_ts \(name.startTs)"
                + (legacy ? ", nor its local date anywhere within 14 h of UTC" : "")
        }
        bytes.withUnsafeBufferPointer { buffer in
            var start = 0
            var lineNumber = 0
            var events = 0
            while start < buffer.count {
                lineNumber += 1
                var end = start
                while end < buffer.count && buffer[end] != 0x0A { end += 1 }
                let hasNewline = end < buffer.count
                let lineBuffer = UnsafeBufferPointer(rebasing: buffer[start..<end])
                let range = start..<end
                start = end + 1
                if !hasNewline {
                    result.warnings.append(VerificationWarning(kind: "missing_newline", objectKey: key,
                                                               detail: "line \(lineNumber) does not end in a newline"))
                }
                if lineBuffer.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) {
                    result.warnings.append(VerificationWarning(kind: "empty_line", objectKey: key, detail: "line \(lineNumber) is empty"))
                    continue
                }
                events += 1
                if events > LogFileParser.maxEventsPerFile {
                    result.rejections.append(Rejection(eventID: nil, objectKey: key, line: lineNumber, reason: .fileTooLarge,
                                                       detail: "more than 10,000 events in one object"))
                    continue
                }
                let lineSlice = bytes[(bytes.startIndex + range.lowerBound)..<(bytes.startIndex + range.upperBound)]
                switch check(lineBuffer, slice: lineSlice, key: key, line: lineNumber, range: range, name: name, fileMismatch: fileMismatch) {
                case .line(let line): result.lines.append(line)
                case .rejected(let rejection): result.rejections.append(rejection)
                }
            }
        }
        return result
    }

    private func check(_ bytes: UnsafeBufferPointer<UInt8>, slice: ArraySlice<UInt8>, key: String, line: Int, range: Range<Int>,
                       name: LogObjectName, fileMismatch: String?) -> Outcome {
        func reject(_ reason: RejectionReason, _ detail: String, _ eventID: String? = nil) -> Outcome {
            .rejected(Rejection(eventID: eventID, objectKey: key, line: line, reason: reason, detail: detail))
        }
        guard bytes.count <= LogFileParser.maxLineBytes else {
            return reject(.malformedJSON, "line is \(bytes.count) bytes, over the 64 KiB limit")
        }
        // Lines in canonical form, which writers of this profile emit, are read
        // without a full parse and keep their line rather than a JSON tree;
        // any other line is parsed strictly.
        let canonical = CanonicalLineReader.read(bytes)
        let value: JSONValue
        if let canonical {
            value = .object(canonical.object)
        } else {
            do {
                value = try JSONParser(maxBytes: LogFileParser.maxLineBytes).parse(buffer: bytes)
            } catch {
                return reject(error.kind == .malformed ? .malformedJSON : .nonCanonical, error.description)
            }
        }
        let claimedID = value.objectValue?["event_id"]?.stringValue
        var event: Event
        do {
            event = try Event(json: value)
        } catch {
            return reject(.schema, error.message, claimedID)
        }
        if let signature = canonical?.signature { event = event.reading(line: slice, signature: signature) }
        guard event.roomID.hasSameBytes(as: roomID) else {
            return reject(.roomMismatch, "room_id is \(event.roomID), this is room \(roomID)", event.eventID)
        }
        if !EventID.names(room: roomID, in: event.eventID), let problem = idProblem(event.eventID) { return reject(problem.0, problem.1, event.eventID) }
        guard let signature = Base64.decode(event.signature), signature.count == 64 else {
            return reject(.badSignature, "signature is not standard base64 of 64 bytes", event.eventID)
        }
        var early: (RejectionReason, String)?
        if let fileMismatch {
            early = (.fileMismatch, fileMismatch)
        } else if event.timestampMs < name.startTs || event.timestampMs > name.endTs {
            early = (.fileMismatch, "timestamp_ms \(event.timestampMs) is outside the object's range \(name.startTs)–\(name.endTs)")
        } else if event.timestampMs > nowMs + LogFileParser.futureToleranceMs {
            early = (.futureTimestamp, "timestamp_ms \(event.timestampMs) is more than an hour ahead of this reader's clock")
        }
        return .line(Line(event: event, signature: signature,
                             objectKey: key, line: line, range: range, earlyRejection: early))
    }

    /// Why an event id is refused: not three `::`-separated parts, or a first part that is not this room.
    private func idProblem(_ id: String) -> (RejectionReason, String)? {
        guard let parts = EventID.parts(id) else { return (.schema, "event_id is not three parts separated by ::") }
        guard parts[0].utf8.elementsEqual(roomID.utf8) else { return (.roomMismatch, "event_id names room \(parts[0]), this is room \(roomID)") }
        return nil
    }
}
