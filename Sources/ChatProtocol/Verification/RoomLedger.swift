/// A room's verification kept up to date as objects arrive.
///
/// Each object is parsed and its signatures checked once; later calls to
/// ``ingest(_:)`` only do that work for the new objects. New events that
/// extend the timeline the ordinary way (see ``TimelineFrontier``) are then
/// authorised on their own; anything else re-runs the room-wide stages
/// (duplicates, authorisation in timeline order, chains) over everything, so
/// a late event lands where it belongs and alarms that later objects resolve
/// disappear. Either way the result is what ``RoomVerifier`` gives for the
/// same set of objects.
public struct RoomLedger: Sendable {
    /// One log object's lines after the per-object stages.
    struct Entry: Sendable {
        let name: LogObjectName
        var lines: [RoomVerifier.CheckedLine]
        let rejections: [Rejection]
        let warnings: [VerificationWarning]
        /// The object's bytes, kept for the room's snapshot.
        let bytes: ArraySlice<UInt8>
    }

    /// An object restored from a snapshot whose lines are not parsed yet: only
    /// a full run needs them.
    struct DormantEntry: Sendable {
        let name: LogObjectName
        let bytes: SnapshotSlice
    }

    public let roomID: String
    public var verifier: RoomVerifier
    var metadataObject: StoredObject?
    var entries: [String: Entry] = [:]
    /// Objects restored from a snapshot, parsed only when a full run needs them.
    var dormant: [String: DormantEntry] = [:]
    /// Keys of the entries holding lines no declared key verified.
    var unverifiedEntries: Set<String> = []
    var skipped: Set<String> = []
    var candidates: [String: [PublicKey]] = [:]
    /// What the last full run learnt about the end of the timeline; nil
    /// before the first one.
    var frontier: TimelineFrontier?
    /// The verification of everything ingested so far.
    public internal(set) var verification: RoomVerification
    /// The events the last ``ingest(_:)`` accepted, in timeline order, when it
    /// only added events; nil when it verified the room again from the start
    /// (then compare ``verification`` with what was known before).
    public private(set) var newlyAccepted: [VerifiedEvent]?

    public init(roomID: String, verifier: RoomVerifier = RoomVerifier()) {
        self.roomID = roomID
        self.verifier = verifier
        self.verification = RoomVerification(roomID: roomID, metadata: nil, accepted: [], rejected: [], alarms: [],
                                             warnings: [], skippedKeys: [],
                                             resolver: RoomStateResolver(roomID: roomID, metadata: nil))
    }

    /// Keys of the objects ingested so far.
    public var objectKeys: Set<String> {
        var keys = Set(entries.keys).union(dormant.keys).union(skipped)
        if let metadataObject { keys.insert(metadataObject.key) }
        return keys
    }

    /// Adds objects (new ones, or new versions of known keys) and verifies again.
    public mutating func ingest(_ objects: [StoredObject]) {
        var fresh: [(name: LogObjectName, object: StoredObject)] = []
        var metadataChanged = false
        var replacesKnown = false
        var newlySkipped = false
        for object in objects {
            switch RoomObjectKey(key: object.key) {
            case .log(let name)? where name.roomID == roomID:
                if entries[object.key] != nil || dormant.removeValue(forKey: object.key) != nil { replacesKnown = true }
                fresh.append((name, object))
            case .metadata(let id)? where id == roomID:
                metadataChanged = metadataChanged || metadataObject?.bytes != object.bytes
                metadataObject = object
            case .attachment(let id, _)? where id == roomID: continue
            default: newlySkipped = skipped.insert(object.key).inserted || newlySkipped
            }
        }

        var alarms: [Alarm] = []
        let metadata = verifier.readMetadata(metadataObject, roomID: roomID, alarms: &alarms)

        // Per-object checks for the new objects, in parallel.
        let parser = LogFileParser(roomID: roomID, nowMs: verifier.nowMs)
        let files = fresh
        let parsed = Parallel.map(count: files.count) { i in
            parser.parse(key: files[i].object.key, name: files[i].name, bytes: files[i].object.bytes[...])
        }

        let previous = candidates
        if metadataChanged || frontier == nil {
            wake(parser)
            var allLines: [[LogFileParser.Line]] = entries.values.map { $0.lines.map(\.line) }
            allLines += parsed.map(\.lines)
            candidates = verifier.candidateKeys(allLines, metadata: metadata)
        } else {
            verifier.addCandidateKeys(parsed.map(\.lines), to: &candidates)
        }

        let keys = candidates
        let memo = verifier.memo
        let checked = Parallel.map(count: parsed.count) { i in RoomVerifier.check(parsed[i].lines, candidates: keys, memo: memo) }
        let changedSenders = Set(candidates.keys.filter { candidates[$0] != previous[$0] })
        if !changedSenders.isEmpty { wake(parser, only: unverifiedEntries) }
        let rechecked = recheckUnverified(changedSenders: changedSenders)
        var clean = !metadataChanged && !replacesKnown && !rechecked
        for (i, file) in files.enumerated() {
            entries[file.object.key] = Entry(name: file.name, lines: checked[i], rejections: parsed[i].rejections,
                                             warnings: parsed[i].warnings, bytes: file.object.bytes[...])
            if checked[i].contains(where: { $0.signer == nil }) { unverifiedEntries.insert(file.object.key) }
            clean = clean && parsed[i].rejections.isEmpty && parsed[i].warnings.isEmpty
        }

        // The short path needs a frontier: the first ingest always takes the full run.
        if clean, frontier != nil, let events = append(checked.flatMap { $0 }) {
            if newlySkipped { verification.skippedKeys = skipped.sorted() }
            newlyAccepted = events
            return
        }

        wake(parser)
        let ordered = entries.values.sorted { $0.name < $1.name }
        var lines: [RoomVerifier.CheckedLine] = []
        lines.reserveCapacity(ordered.reduce(0) { $0 + $1.lines.count })
        for entry in ordered { lines += entry.lines }
        (verification, frontier) = verifier.conclude(roomID: roomID, metadata: metadata, lines: lines,
                                                     rejected: ordered.flatMap(\.rejections), warnings: ordered.flatMap(\.warnings),
                                                     alarms: alarms, skipped: Array(skipped))
        newlyAccepted = nil
    }

    /// Parses and checks objects restored from a snapshot (all of them, or
    /// those among `only`), for a stage that needs their lines.
    private mutating func wake(_ parser: LogFileParser, only: Set<String>? = nil) {
        let waking = dormant.filter { only?.contains($0.key) ?? true }.map { (key: $0.key, entry: $0.value) }
        guard !waking.isEmpty else { return }
        let keys = candidates
        let memo = verifier.memo
        let woken = Parallel.map(count: waking.count) { i -> Entry in
            let bytes = waking[i].entry.bytes.array
            let parsed = parser.parse(key: waking[i].key, name: waking[i].entry.name, bytes: bytes[...])
            return Entry(name: waking[i].entry.name, lines: RoomVerifier.check(parsed.lines, candidates: keys, memo: memo),
                         rejections: parsed.rejections, warnings: parsed.warnings, bytes: bytes[...])
        }
        for (i, item) in waking.enumerated() {
            dormant[item.key] = nil
            entries[item.key] = woken[i]
            if woken[i].lines.contains(where: { $0.signer == nil }) { unverifiedEntries.insert(item.key) }
        }
    }

    /// Lines no declared key verified may verify now that their sender declared
    /// more keys. Returns whether any did.
    private mutating func recheckUnverified(changedSenders: Set<String>) -> Bool {
        guard !changedSenders.isEmpty else { return false }
        var changed = false
        for key in unverifiedEntries {
            guard var entry = entries[key],
                  entry.lines.contains(where: { $0.signer == nil && changedSenders.contains($0.line.event.senderID) })
            else { continue }
            var lastKey: [String: PublicKey] = [:]
            entry.lines = entry.lines.map { checked in
                guard checked.signer == nil, changedSenders.contains(checked.line.event.senderID) else { return checked }
                let signer = RoomVerifier.signer(checked.line, checked.line.event.canonicalBytes, candidates, &lastKey)
                changed = changed || signer != nil
                return RoomVerifier.CheckedLine(line: checked.line, hash: checked.hash, signer: signer)
            }
            entries[key] = entry
            if !entry.lines.contains(where: { $0.signer == nil }) { unverifiedEntries.remove(key) }
        }
        return changed
    }
}
