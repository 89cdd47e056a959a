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
    /// Whether the entries were parsed for a legacy room, whose date folders
    /// may be in local time (see ``LogFileParser/legacy``). Parsed again when
    /// the metadata changes that.
    var parsedAsLegacy = false
    /// What the last full run learnt about the end of the timeline; nil
    /// before the first one.
    var frontier: TimelineFrontier?
    /// The verification of everything ingested so far.
    public internal(set) var verification: RoomVerification
    /// What objects taken in since the last conclusion have found.
    var pending = Pending()
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
        take(prepare(objects))
        conclude()
    }

    /// Objects after the per-object stages — lines parsed and checked,
    /// signatures looked for — ready for ``take(_:)``.
    public struct Prepared: Sendable {
        let objects: [StoredObject]
        let logs: [(name: LogObjectName, object: StoredObject)]
        let parsed: [LogFileParser.Result]
        let checked: [[RoomVerifier.CheckedLine]]
        /// The keys the signatures were looked for among, per sender.
        let candidates: [String: [PublicKey]]
        /// Whether the objects were parsed as those of a legacy room.
        let legacy: Bool
    }

    /// The per-object stages for `objects` (in parallel over them), against
    /// the keys this ledger knows and those the objects declare themselves.
    public func prepare(_ objects: [StoredObject]) -> Prepared {
        preparer.prepare(objects)
    }

    /// What ``prepare(_:)`` needs of the ledger, apart from it: a sync checks
    /// objects with it while it fetches more (taking each batch in before
    /// the next is prepared), then concludes once.
    public var preparer: Preparer {
        Preparer(roomID: roomID, verifier: verifier, metadataObject: metadataObject,
                 candidates: entries.isEmpty && dormant.isEmpty ? nil : candidates)
    }

    /// A ledger's keys, metadata and settings, enough to prepare objects on
    /// another thread while the ledger takes in others.
    public struct Preparer: Sendable {
        let roomID: String
        let verifier: RoomVerifier
        let metadataObject: StoredObject?
        /// The keys the ledger knows; nil for an empty ledger, which knows the metadata's.
        let candidates: [String: [PublicKey]]?

        public func prepare(_ objects: [StoredObject]) -> Prepared {
            var logs: [(name: LogObjectName, object: StoredObject)] = []
            var metadataObject = self.metadataObject
            for object in objects {
                switch RoomObjectKey(key: object.key) {
                case .log(let name)? where name.roomID == roomID: logs.append((name, object))
                case .metadata(let id)? where id == roomID: metadataObject = object
                default: continue
                }
            }
            var ignored: [Alarm] = []
            let metadata = verifier.readMetadata(metadataObject, roomID: roomID, alarms: &ignored)
            let parser = LogFileParser(roomID: roomID, nowMs: verifier.nowMs, legacy: metadata?.isLegacy ?? false)
            let files = logs
            let parsed = Parallel.map(count: files.count) { i in
                parser.parse(key: files[i].object.key, name: files[i].name, bytes: files[i].object.bytes[...])
            }
            var keys = candidates ?? verifier.candidateKeys([], metadata: metadata)
            verifier.addCandidateKeys(parsed.map(\.lines), to: &keys)
            let known = keys
            let memo = verifier.memo
            let checked = Parallel.map(count: parsed.count) { i in RoomVerifier.check(parsed[i].lines, candidates: known, memo: memo) }
            return Prepared(objects: objects, logs: logs, parsed: parsed, checked: checked, candidates: keys, legacy: parser.legacy)
        }
    }

    /// What taking objects in has found since the last ``conclude()``.
    struct Pending: Sendable {
        var metadataChanged = false
        var replacesKnown = false
        var newlySkipped = false
        /// Whether a line of an earlier object was verified now that its sender declared more keys.
        var rechecked = false
        /// Whether every object taken in had nothing to report.
        var clean = true
        var added: [[RoomVerifier.CheckedLine]] = []
    }

    /// Takes prepared objects in, without the room-wide stages: ``conclude()``
    /// runs those once, after any number of these.
    public mutating func take(_ prepared: Prepared) {
        var metadataChanged = false
        for object in prepared.objects {
            switch RoomObjectKey(key: object.key) {
            case .log(let name)? where name.roomID == roomID:
                if entries[object.key] != nil || dormant.removeValue(forKey: object.key) != nil { pending.replacesKnown = true }
            case .metadata(let id)? where id == roomID:
                if metadataObject?.bytes != object.bytes { metadataChanged = true }
                metadataObject = object
            case .attachment(let id, _)? where id == roomID: continue
            default: pending.newlySkipped = skipped.insert(object.key).inserted || pending.newlySkipped
            }
        }
        pending.metadataChanged = pending.metadataChanged || metadataChanged
        let rereadMetadata = metadataChanged || (entries.isEmpty && dormant.isEmpty)
        var ignored: [Alarm] = []
        let metadata = rereadMetadata ? verifier.readMetadata(metadataObject, roomID: roomID, alarms: &ignored) : nil
        if rereadMetadata, (metadata?.isLegacy ?? false) != parsedAsLegacy {
            parsedAsLegacy = metadata?.isLegacy ?? false
            reparse()
        }
        let parser = LogFileParser(roomID: roomID, nowMs: verifier.nowMs, legacy: parsedAsLegacy)

        // Keys the room declares, from every object, old and new: all of them
        // again when the metadata changed (its creator key) or nothing was
        // taken in yet, else those the new objects add.
        let previous = candidates
        if rereadMetadata {
            wake(parser)
            var allLines: [[LogFileParser.Line]] = entries.values.map { $0.lines.map(\.line) }
            allLines += prepared.parsed.map(\.lines)
            candidates = verifier.candidateKeys(allLines, metadata: metadata)
        } else {
            verifier.addCandidateKeys(prepared.parsed.map(\.lines), to: &candidates)
        }
        let changedSenders = Set(candidates.keys.filter { candidates[$0] != previous[$0] })
        if !changedSenders.isEmpty { wake(parser, only: unverifiedEntries) }
        pending.rechecked = recheckUnverified(changedSenders: changedSenders) || pending.rechecked

        // The new lines were checked against the keys known when they were
        // prepared; those no key verified are checked again if their sender's keys differ now.
        var checked = prepared.checked
        var parsed = prepared.parsed
        if prepared.legacy != parsedAsLegacy {
            // Prepared before the metadata that says otherwise was taken in.
            for (i, file) in prepared.logs.enumerated() {
                (parsed[i], checked[i]) = RoomLedger.reparse(file.object.key, name: file.name, bytes: file.object.bytes[...],
                                                             checked: checked[i], parser: parser, candidates: candidates, memo: verifier.memo)
            }
        }
        let differing = Set(candidates.keys.filter { candidates[$0] != prepared.candidates[$0] })
        if !differing.isEmpty {
            for i in checked.indices where checked[i].contains(where: { $0.signer == nil && differing.contains($0.line.event.senderID) }) {
                checked[i] = recheck(checked[i], senders: differing).lines
            }
        }
        for (i, file) in prepared.logs.enumerated() {
            entries[file.object.key] = Entry(name: file.name, lines: checked[i], rejections: parsed[i].rejections,
                                             warnings: parsed[i].warnings, bytes: file.object.bytes[...])
            if checked[i].contains(where: { $0.signer == nil }) { unverifiedEntries.insert(file.object.key) }
            pending.clean = pending.clean && parsed[i].rejections.isEmpty && parsed[i].warnings.isEmpty
        }
        // Only the short path needs the new lines apart, and it needs a frontier.
        if frontier != nil { pending.added += checked }
    }

    /// The room-wide stages over what was taken in since the last time:
    /// the short path when it applies (see ``TimelineFrontier``), else a full
    /// run over every object.
    public mutating func conclude() {
        let pending = self.pending
        self.pending = Pending()
        var alarms: [Alarm] = []
        let metadata = verifier.readMetadata(metadataObject, roomID: roomID, alarms: &alarms)
        let clean = pending.clean && !pending.metadataChanged && !pending.replacesKnown && !pending.rechecked
        if clean, frontier != nil, let events = append(pending.added.flatMap { $0 }) {
            if pending.newlySkipped { verification.skippedKeys = skipped.sorted() }
            newlyAccepted = events
            return
        }

        // The room-wide stages over every object, in object name order.
        wake(LogFileParser(roomID: roomID, nowMs: verifier.nowMs, legacy: parsedAsLegacy))
        let ordered = entries.values.sorted { $0.name < $1.name }
        var lines: [RoomVerifier.CheckedLine] = []
        lines.reserveCapacity(ordered.reduce(0) { $0 + $1.lines.count })
        for entry in ordered { lines += entry.lines }
        (verification, frontier) = verifier.conclude(roomID: roomID, metadata: metadata, lines: lines,
                                                     rejected: ordered.flatMap(\.rejections), warnings: ordered.flatMap(\.warnings),
                                                     alarms: alarms, skipped: Array(skipped))
        newlyAccepted = nil
    }

    /// Parses every entry again after the room turned legacy or stopped being
    /// one: which date folders are `file_mismatch` depends on that.
    private mutating func reparse() {
        let parser = LogFileParser(roomID: roomID, nowMs: verifier.nowMs, legacy: parsedAsLegacy)
        wake(parser)
        for (key, entry) in entries {
            let again = RoomLedger.reparse(key, name: entry.name, bytes: entry.bytes, checked: entry.lines, parser: parser,
                                           candidates: candidates, memo: verifier.memo)
            entries[key] = Entry(name: entry.name, lines: again.checked, rejections: again.parsed.rejections,
                                 warnings: again.parsed.warnings, bytes: entry.bytes)
        }
        pending.replacesKnown = true
    }

    /// One object parsed again with another parser. The lines are the same
    /// (only early rejections and warnings differ), so the signature checks
    /// already made carry over; should they not line up, they are made again.
    private static func reparse(_ key: String, name: LogObjectName, bytes: ArraySlice<UInt8>, checked: [RoomVerifier.CheckedLine],
                                parser: LogFileParser, candidates: [String: [PublicKey]],
                                memo: SignatureMemo?) -> (parsed: LogFileParser.Result, checked: [RoomVerifier.CheckedLine]) {
        let parsed = parser.parse(key: key, name: name, bytes: bytes)
        guard parsed.lines.count == checked.count,
              zip(parsed.lines, checked).allSatisfy({ $0.line == $1.line.line && $0.event.eventID.hasSameBytes(as: $1.line.event.eventID) })
        else {
            return (parsed, RoomVerifier.check(parsed.lines, candidates: candidates, memo: memo))
        }
        return (parsed, zip(parsed.lines, checked).map { RoomVerifier.CheckedLine(line: $0, hash: $1.hash, signer: $1.signer) })
    }

    /// Parses and checks objects restored from a snapshot (all of them, or
    /// those among `only`), for a stage that needs their lines.
    mutating func wake(_ parser: LogFileParser, only: Set<String>? = nil) {
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
    mutating func recheckUnverified(changedSenders: Set<String>) -> Bool {
        guard !changedSenders.isEmpty else { return false }
        var changed = false
        for key in unverifiedEntries {
            guard var entry = entries[key],
                  entry.lines.contains(where: { $0.signer == nil && changedSenders.contains($0.line.event.senderID) })
            else { continue }
            let result = recheck(entry.lines, senders: changedSenders)
            entry.lines = result.lines
            changed = changed || result.found
            entries[key] = entry
            if !entry.lines.contains(where: { $0.signer == nil }) { unverifiedEntries.remove(key) }
        }
        return changed
    }

    /// One object's lines, the ones of `senders` that no key verified looked
    /// at again with the keys known now; and whether any was verified.
    private func recheck(_ lines: [RoomVerifier.CheckedLine], senders: Set<String>) -> (lines: [RoomVerifier.CheckedLine], found: Bool) {
        var lastKey: [String: PublicKey] = [:]
        var found = false
        let lines = lines.map { checked in
            guard checked.signer == nil, senders.contains(checked.line.event.senderID) else { return checked }
            let signer = RoomVerifier.signer(checked.line, checked.line.event.canonicalBytes, candidates, &lastKey)
            found = found || signer != nil
            return RoomVerifier.CheckedLine(line: checked.line, hash: checked.hash, signer: signer)
        }
        return (lines, found)
    }
}
