import Foundation

/// Turns a room's stored objects into a verified, ordered timeline and a
/// resolved state (PROTOCOL.md §8).
///
/// Stages: classify keys; parse and check every line (parallel over
/// objects); check signatures against the keys the room declares (parallel);
/// merge duplicates; order by `(timestamp_ms, event_id)`; authorise in that
/// order; audit each key's hash chain.
public struct RoomVerifier: Sendable {
    /// The reader's clock, for `future_timestamp` (milliseconds since the epoch).
    public var nowMs: Int64
    /// Keys the user supplies for legacy rooms, per sender.
    public var suppliedKeys: [String: [PublicKey]]
    /// The creator key pinned on first sight of the room, if any.
    public var pinnedCreatorKey: PublicKey?
    /// Signatures already verified on an earlier open, if the reader keeps them.
    public var memo: SignatureMemo?
    /// The reader's device keys: a private room's epoch keys sealed to them
    /// open, and with them the room's encrypted content.
    public var readerKeys: [SigningKey] = []

    /// Whether the room-wide stages take their shortcuts: plain messages
    /// accepted without the resolver's general path, plain chains audited
    /// without the general search. Off only in tests, which compare the two.
    var shortcuts = true

    /// Speculative signature checks try at most this many declared keys per
    /// sender, so a flood of bogus joins cannot make verification quadratic.
    static let maxCandidateKeys = 8

    public init(nowMs: Int64 = Int64(Date().timeIntervalSince1970 * 1000),
                suppliedKeys: [String: [PublicKey]] = [:], pinnedCreatorKey: PublicKey? = nil, memo: SignatureMemo? = nil) {
        self.nowMs = nowMs
        self.suppliedKeys = suppliedKeys
        self.pinnedCreatorKey = pinnedCreatorKey
        self.memo = memo
    }

    /// Verifies one room from its objects (keys relative to the store prefix).
    public func verify(roomID: String, objects: [StoredObject]) -> RoomVerification {
        var ledger = RoomLedger(roomID: roomID, verifier: self)
        ledger.ingest(objects)
        return ledger.verification
    }

    /// The room-wide stages over checked lines: merge duplicates, authorise in
    /// timeline order and, side by side, audit the chains.
    ///
    /// Also returns what a ``RoomLedger`` needs to add later events without
    /// running these stages again.
    func conclude(roomID: String, metadata: RoomMetadata?, lines: [CheckedLine], rejected parsedRejections: [Rejection],
                  warnings parsedWarnings: [VerificationWarning], alarms metadataAlarms: [Alarm],
                  skipped: [String]) -> (verification: RoomVerification, frontier: TimelineFrontier) {
        var rejected = parsedRejections
        var warnings = parsedWarnings
        var alarms = metadataAlarms
        // Every line's id, indexed once on every core: the ids found more than
        // once are the duplicates to merge, and the index becomes the state's
        // table of events, each entered as authorisation accepts it.
        let index = EventIndex(.lines(lines))
        let kept = mergeDuplicates(lines, repeats: index.repeats, rejected: &rejected, alarms: &alarms)

        var timeline: [Int] = []
        timeline.reserveCapacity(lines.count)
        for (i, entry) in lines.enumerated() where kept?[i] ?? true {
            if let early = entry.line.earlyRejection {
                rejected.append(Rejection(eventID: entry.line.event.eventID, objectKey: entry.line.objectKey,
                                          line: entry.line.line, reason: early.reason, detail: early.detail))
            } else {
                timeline.append(i)
            }
        }

        // Authorisation is sequential by nature; the chain audit needs only hashes and the
        // keys found in parallel, so the two run side by side.
        let order = timeline
        let unique = kept.map { kept in lines.indices.filter { kept[$0] }.map { lines[$0] } } ?? lines
        let halves = Parallel.map(count: 2) { half -> Stage in
            half == 0
                ? .resolution(resolve(lines, order: order, index: index, roomID: roomID, metadata: metadata))
                : .chains(ChainAudit.findings(unique, legacy: metadata?.isLegacy ?? false, shortcuts: shortcuts))
        }
        guard case .resolution(let resolution) = halves[0], case .chains(let audit) = halves[1] else {
            preconditionFailure("Parallel.map returns results in index order")
        }
        var accepted = resolution.accepted
        rejected += resolution.rejected
        applyChainFindings(audit, accepted: &accepted, alarms: &alarms, warnings: &warnings)

        rejected.sort(by: RoomVerifier.reportOrder)
        let verification = RoomVerification(roomID: roomID, metadata: metadata, accepted: accepted, rejected: rejected,
                                            alarms: alarms, warnings: warnings, skippedKeys: skipped.sorted(),
                                            resolver: resolution.resolver)
        // The ids of lines in no accepted event: those of the places the table never showed.
        let table = resolution.resolver.state.events
        var unaccepted: Set<ExactString> = []
        for i in lines.indices where !table.isShown(i) {
            let id = ExactString(lines[i].line.event.eventID)
            if table[id] == nil { unaccepted.insert(id) }
        }
        let frontier = TimelineFrontier(last: resolution.last, barrier: resolution.barrier, unacceptedIDs: unaccepted,
                                        tips: audit.tips, missingPrevs: audit.missingPrevs)
        return (verification, frontier)
    }

    /// The order rejections are reported in: by object, then line.
    static func reportOrder(_ a: Rejection, _ b: Rejection) -> Bool {
        (a.objectKey, a.line ?? 0) < (b.objectKey, b.line ?? 0)
    }

    /// Timeline order: `(timestamp_ms, event_id)` ascending, ids compared by code point.
    public static func precedes(_ a: Event, _ b: Event) -> Bool {
        TimelinePosition(a) < TimelinePosition(b)
    }

    func readMetadata(_ object: StoredObject?, roomID: String, alarms: inout [Alarm]) -> RoomMetadata? {
        guard let object else {
            alarms.append(Alarm(kind: .missingMetadata, senderID: nil, eventID: nil,
                                detail: "rooms/\(roomID)/metadata.json is missing: the room has no root of trust"))
            return nil
        }
        let metadata: RoomMetadata
        do {
            metadata = try RoomMetadata(bytes: object.bytes)
        } catch {
            alarms.append(Alarm(kind: .badMetadata, senderID: nil, eventID: nil, detail: error.message))
            return nil
        }
        guard metadata.roomID == roomID else {
            alarms.append(Alarm(kind: .badMetadata, senderID: nil, eventID: nil,
                                detail: "metadata.json names room \(metadata.roomID), but it is stored under \(roomID)"))
            return nil
        }
        if let problem = metadata.problem() {
            alarms.append(Alarm(kind: .badMetadata, senderID: metadata.creator, eventID: nil, detail: problem))
            return nil
        }
        if let pinned = pinnedCreatorKey, metadata.creatorKey != pinned {
            alarms.append(Alarm(kind: .creatorKeyChanged, senderID: metadata.creator, eventID: nil,
                                detail: "metadata.json now names creator key \(metadata.creatorKey?.base64 ?? "none"), but \(pinned) was pinned on first sight: the object was replaced"))
        }
        return metadata
    }

    /// Keys each sender could have signed with: those declared by joins, the
    /// creator key, and keys the user supplied.
    func candidateKeys(_ parsed: [[LogFileParser.Line]], metadata: RoomMetadata?) -> [String: [PublicKey]] {
        var out: [String: [PublicKey]] = [:]
        if let metadata, let key = metadata.creatorKey, let creator = metadata.creator { RoomVerifier.add(key, of: creator, to: &out) }
        for (sender, keys) in suppliedKeys { for key in keys { RoomVerifier.add(key, of: sender, to: &out) } }
        addCandidateKeys(parsed, to: &out)
        return out
    }

    /// Adds the keys that joins among `parsed` declare.
    func addCandidateKeys(_ parsed: [[LogFileParser.Line]], to candidates: inout [String: [PublicKey]]) {
        for file in parsed {
            for line in file where line.event.type.hasSameBytes(as: EventType.member) {
                if case .member(let m) = line.event.content, m.membership == .join, let key = m.publicKey {
                    RoomVerifier.add(key, of: line.event.senderID, to: &candidates)
                }
            }
        }
    }

    private static func add(_ key: PublicKey, of sender: String, to candidates: inout [String: [PublicKey]]) {
        var keys = candidates[sender, default: []]
        if keys.count < RoomVerifier.maxCandidateKeys, !keys.contains(key) { keys.append(key) }
        candidates[sender] = keys
    }

    /// For each line of one object: its event hash and the declared key that
    /// verifies it, if any. A device's lines share a key, so the last key that
    /// worked is tried first. The memo is asked about every line at once and
    /// told about every new signature at once.
    static func check(_ lines: [LogFileParser.Line], candidates: [String: [PublicKey]], memo: SignatureMemo?) -> [CheckedLine] {
        var canonicals: [[UInt8]] = []
        var hashes: [String] = []
        var entries: [SignatureMemo.Entry] = []
        canonicals.reserveCapacity(lines.count)
        hashes.reserveCapacity(lines.count)
        entries.reserveCapacity(lines.count)
        withUnsafeTemporaryAllocation(byteCount: 32, alignment: 8) { digest in
            for line in lines {
                let canonical = line.event.canonicalBytes
                canonical.withUnsafeBytes { SHA256.digest($0, into: digest) }
                let hash = UnsafeRawBufferPointer(digest)
                hashes.append(Base64.encode(hash))
                if memo != nil { entries.append(line.signature.withUnsafeBytes { SignatureMemo.entry(hash: hash, signature: $0) }) }
                canonicals.append(canonical)
            }
        }
        let known = memo?.signers(entries)
        var verified: [(SignatureMemo.Entry, PublicKey)] = []
        var lastKey: [String: PublicKey] = [:]
        var out: [CheckedLine] = []
        out.reserveCapacity(lines.count)
        for (i, line) in lines.enumerated() {
            if let known = known?[i] {
                lastKey[line.event.senderID] = known
                out.append(CheckedLine(line: line, hash: hashes[i], signer: known))
                continue
            }
            let found = signer(line, canonicals[i], candidates, &lastKey)
            if let found, memo != nil { verified.append((entries[i], found)) }
            out.append(CheckedLine(line: line, hash: hashes[i], signer: found))
        }
        memo?.remember(verified)
        return out
    }

    static func signer(_ line: LogFileParser.Line, _ canonical: [UInt8], _ candidates: [String: [PublicKey]],
                               _ lastKey: inout [String: PublicKey]) -> PublicKey? {
        let sender = line.event.senderID
        var tried: [PublicKey] = []
        func attempt(_ key: PublicKey) -> Bool {
            guard !tried.contains(key) else { return false }
            tried.append(key)
            return key.verify(signature: line.signature, of: canonical)
        }
        if let key = lastKey[sender], attempt(key) { return key }
        if case .member(let m) = line.event.content, let key = m.publicKey, attempt(key) {
            lastKey[sender] = key
            return key
        }
        for key in candidates[sender] ?? [] where attempt(key) {
            lastKey[sender] = key
            return key
        }
        return nil
    }

    /// Merges identical copies of an event; rejects every version of an id
    /// that has more than one validly signed version.
    ///
    /// A version whose signature verifies under no declared key takes no part:
    /// otherwise anyone with write access could suppress an event by uploading
    /// garbage under its id.
    /// Returns which lines stay, or nil when all do (no id repeats).
    /// - Parameter repeats: the places of every line whose id another line has too.
    private func mergeDuplicates(_ lines: [CheckedLine], repeats: [Int],
                                 rejected: inout [Rejection], alarms: inout [Alarm]) -> [Bool]? {
        guard !repeats.isEmpty else { return nil }
        var groups: [ExactString: [Int]] = [:]
        for i in repeats { groups[ExactString(lines[i].line.event.eventID), default: []].append(i) }
        var keep = [Bool](repeating: true, count: lines.count)
        for (id, indices) in groups.sorted(by: { $0.value[0] < $1.value[0] }) {
            var distinct: [Int] = []
            for i in indices {
                if distinct.contains(where: { lines[$0].hash == lines[i].hash && lines[$0].line.event.signature == lines[i].line.event.signature }) {
                    keep[i] = false
                } else {
                    distinct.append(i)
                }
            }
            guard distinct.count > 1 else { continue }
            let authentic = distinct.filter { lines[$0].signer != nil }
            for i in distinct where lines[i].signer == nil && authentic.count >= 1 {
                keep[i] = false
                rejected.append(Rejection(eventID: id.value, objectKey: lines[i].line.objectKey, line: lines[i].line.line,
                                          reason: .badSignature, detail: "another version of this event id exists and this one's signature does not verify"))
            }
            if authentic.count > 1 {
                for i in authentic {
                    keep[i] = false
                    rejected.append(Rejection(eventID: id.value, objectKey: lines[i].line.objectKey, line: lines[i].line.line,
                                              reason: .duplicateConflict, detail: "\(authentic.count) validly signed versions of this event id differ"))
                }
                alarms.append(Alarm(kind: .duplicateConflict, senderID: lines[authentic[0]].line.event.senderID, eventID: id.value,
                                    detail: "\(authentic.count) different, validly signed events share this id (in \(authentic.map { lines[$0].line.objectKey }.joined(separator: ", ")))"))
            }
        }
        return keep
    }

    /// A line with its event hash and the declared key that verified it, if any.
    struct CheckedLine: Sendable {
        let line: LogFileParser.Line
        let hash: String
        let signer: PublicKey?
    }

    /// What the two halves of the last stage produce.
    enum Stage: Sendable {
        case resolution(Resolution)
        case chains(ChainAudit.Outcome)
    }

    struct Resolution: Sendable {
        var accepted: [VerifiedEvent] = []
        var rejected: [Rejection] = []
        var resolver: RoomStateResolver
        /// See ``TimelineFrontier``.
        var last: TimelinePosition?
        var barrier: TimelinePosition?
    }

    /// Orders the events by `(timestamp_ms, event_id)` and authorises them in that order.
    ///
    /// - Parameters:
    ///   - order: the places in `lines` of the events to authorise.
    ///   - index: every line's id; the state's table of events is built on it.
    private func resolve(_ lines: [CheckedLine], order: [Int], index: EventIndex, roomID: String,
                         metadata: RoomMetadata?) -> Resolution {
        let timeline = RoomVerifier.timelineOrder(order) { lines[$0].line.event }
        var resolver = RoomStateResolver(roomID: roomID, metadata: metadata, suppliedKeys: suppliedKeys, readerKeys: readerKeys)
        resolver.state.events = EventTable(over: index)
        var out = Resolution(resolver: resolver)
        out.accepted.reserveCapacity(timeline.count)
        for i in timeline {
            let line = lines[i].line
            // Plain messages, most of a room, are accepted without the general
            // path; what they change is only the table, which shows them in place.
            if shortcuts, index.isSole(i), resolver.acceptsPlainMessage(line.event, signer: lines[i].signer), let signer = lines[i].signer {
                resolver.state.events.show(i)
                out.accepted.append(VerifiedEvent(event: line.event, hash: lines[i].hash, objectKey: line.objectKey,
                                                  line: line.line, signer: signer, marks: []))
                continue
            }
            let verdict = resolver.apply(line.event, signer: lines[i].signer) { key in
                key.verify(signature: line.signature, of: line.event.canonicalBytes)
            }
            switch verdict {
            case .accepted(let signer):
                out.accepted.append(VerifiedEvent(event: line.event, hash: lines[i].hash, objectKey: line.objectKey,
                                                  line: line.line, signer: signer, marks: []))
            case .rejected(let reason, let detail):
                out.rejected.append(Rejection(eventID: line.event.eventID, objectKey: line.objectKey, line: line.line,
                                              reason: reason, detail: detail))
            }
            if RoomVerifier.isBarrier(line.event, verdict) { out.barrier = TimelinePosition(line.event) }
        }
        out.last = timeline.last.map { TimelinePosition(lines[$0].line.event) }
        out.resolver = resolver
        return out
    }

    /// `places` sorted by their events' timeline position: by timestamp (held
    /// beside each place, so most comparisons touch no event), then by id.
    static func timelineOrder(_ places: [Int], event: (Int) -> Event) -> [Int] {
        var keyed = places.map { (timestampMs: event($0).timestampMs, place: $0) }
        keyed.sort { a, b in
            a.timestampMs != b.timestampMs ? a.timestampMs < b.timestampMs : event(a.place).eventID.precedesInBytes(event(b.place).eventID)
        }
        return keyed.map(\.place)
    }

    /// Whether events that sort before this one would have to be authorised
    /// again from the start: it was rejected (an earlier event could change
    /// that) or it changed membership (which earlier events were judged by).
    static func isBarrier(_ event: Event, _ verdict: RoomStateResolver.Verdict) -> Bool {
        if case .rejected = verdict { return true }
        if case .member = event.content { return true }
        return false
    }

    /// Records chain alarms and marks the accepted events they touch.
    ///
    /// Keys that never chain (legacy rooms only, see ``ChainAudit/Outcome/unchained``)
    /// become one `unchained` warning each; keys that chain raise alarms as in any room.
    private func applyChainFindings(_ audit: ChainAudit.Outcome, accepted: inout [VerifiedEvent],
                                    alarms: inout [Alarm], warnings: inout [VerificationWarning]) {
        for entry in audit.unchained {
            warnings.append(VerificationWarning(kind: "unchained", objectKey: nil,
                detail: "legacy room: the \(entry.events) events of \(entry.senderID) under key \(entry.key) carry no prev_event_hash, so an event of theirs that was deleted or withheld cannot be detected"))
        }
        let findings = audit.alarms
        guard !findings.isEmpty else { return }
        var marks: [ExactString: Set<AlarmKind>] = [:]
        for alarm in findings {
            alarms.append(alarm)
            if let id = alarm.eventID { marks[ExactString(id), default: []].insert(alarm.kind) }
        }
        for i in accepted.indices {
            if let m = marks[ExactString(accepted[i].event.eventID)] { accepted[i].marks = m }
        }
    }
}
