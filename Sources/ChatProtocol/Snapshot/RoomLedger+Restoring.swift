extension RoomLedger {
    /// A ledger restored from ``snapshot(version:)``'s bytes, or nil when the
    /// snapshot is for another room, damaged (its checksum, computed on
    /// another core meanwhile, does not match), or no longer matches the
    /// store: an object it holds is gone or has another version (`versions`
    /// gives the store's current one by key), or the metadata's alarms differ
    /// from what they were. Objects the store has and the snapshot lacks are
    /// for the caller to ingest next.
    public static func restore(_ bytes: SnapshotBytes, roomID: String, verifier: RoomVerifier,
                               versions: [String: String]) -> RoomLedger? {
        // The trailer: where the lines are (outside the checksum), then the checksum.
        var trailer = SnapshotReader(bytes)
        guard bytes.count >= 20 else { return nil }
        trailer.seek(bytes.count - 20)
        guard let linesStart = try? trailer.int(below: bytes.count - 19), let linesEnd = try? trailer.int(below: bytes.count - 19),
              linesStart <= linesEnd, let stored = try? trailer.u32()
        else { return nil }
        let outcomes = Parallel.map(count: 2) { half -> RestoredHalf in
            if half == 0 {
                let crc = bytes.withUnsafeBytes { raw in
                    CRC32.checksum(UnsafeRawBufferPointer(rebasing: raw[linesEnd..<(raw.count - 4)]),
                                   seed: CRC32.checksum(UnsafeRawBufferPointer(rebasing: raw[0..<linesStart])))
                }
                return .intact(crc == stored)
            }
            var reader = SnapshotReader(bytes, end: bytes.count - 20)
            return .ledger(try? restoring(&reader, roomID: roomID, verifier: verifier, versions: versions))
        }
        guard case .intact(true) = outcomes[0], case .ledger(let ledger??) = outcomes[1] else { return nil }
        return ledger
    }

    private static func restoring(_ reader: inout SnapshotReader, roomID: String, verifier: RoomVerifier,
                                  versions: [String: String]) throws(SnapshotReader.Damaged) -> RoomLedger? {
        guard try reader.run().array == snapshotMagic, try reader.string() == roomID else { return nil }
        var ledger = RoomLedger(roomID: roomID, verifier: verifier)
        let metadataKey = try reader.string()
        guard versions[metadataKey] == (try reader.string()) else { return nil }
        let metadataObject = StoredObject(key: metadataKey, bytes: try reader.run().array)
        ledger.metadataObject = metadataObject
        var metadataAlarms: [Alarm] = []
        guard let metadata = verifier.readMetadata(metadataObject, roomID: roomID, alarms: &metadataAlarms),
              !metadata.isLegacy
        else { return nil }

        // Objects: keys, versions and lengths, then their bytes end to end.
        var objects: [(key: String, name: LogObjectName, count: Int)] = []
        for _ in 0..<(try reader.int()) {
            let key = try reader.string()
            guard versions[key] == (try reader.string()), let name = LogObjectName(key: key) else { return nil }
            objects.append((key, name, try reader.int()))
        }
        let blob = try reader.run()
        var start = blob.range.lowerBound
        var objectKeys: [String] = []
        var objectStarts: [Int] = []
        for object in objects {
            guard blob.range.upperBound - start >= object.count else { throw SnapshotReader.Damaged() }
            ledger.dormant[object.key] = DormantEntry(name: object.name,
                                                      bytes: SnapshotSlice(bytes: blob.bytes, range: start..<(start + object.count)))
            objectKeys.append(object.key)
            objectStarts.append(start)
            start += object.count
        }
        ledger.skipped = Set(try reader.strings())
        ledger.unverifiedEntries = Set(try reader.strings())

        var keys: [PublicKey] = []
        for _ in 0..<(try reader.int()) {
            guard let key = PublicKey(bytes: try reader.run().array) else { throw SnapshotReader.Damaged() }
            keys.append(key)
        }
        let texts = try reader.strings()
        for _ in 0..<(try reader.int()) {
            let sender = try reader.string()
            var list: [PublicKey] = []
            for _ in 0..<(try reader.int()) { list.append(keys[try reader.index(below: keys.count)]) }
            ledger.candidates[sender] = list
        }

        // The timeline, in chunks decoded side by side.
        let context = RecordContext(roomID: roomID, texts: texts, keys: keys, objectKeys: objectKeys,
                                    objectStarts: objectStarts, blob: blob)
        let total = try reader.int()
        var chunks: [(start: Int, first: Int, count: Int)] = []
        var first = 0
        for _ in 0..<(try reader.int(below: 1025)) {
            let count = try reader.int(below: total - first + 1)
            let length = try reader.int()
            chunks.append((reader.offset, first, count))
            first += count
            try reader.skip(length)
        }
        guard first == total else { throw SnapshotReader.Damaged() }
        let chunkReader = reader
        let places = chunks
        // Each chunk fills its own part of the array in place: building parts
        // and joining them would copy (and retain) every event once more.
        // Where each record starts is noted for the table of events.
        var offsets = [Int](repeating: 0, count: total)
        // Not for an empty room: `Array(unsafeUninitializedCapacity: 0)` writes
        // the count of the one empty-array storage every thread shares. It
        // writes the zero that is there, but another restore reading it at
        // that moment is a data race all the same.
        let accepted = total == 0 ? [] : try [VerifiedEvent](unsafeUninitializedCapacity: total) { (buffer, initialized) throws(SnapshotReader.Damaged) in
            let target = Filling(buffer: buffer)
            let filled = offsets.withUnsafeMutableBufferPointer { offsetBuffer in
                let starts = Filling(buffer: offsetBuffer)
                return Parallel.map(count: places.count) { i -> Bool in
                    var records = chunkReader
                    records.seek(places[i].start)
                    return context.decode(&records, count: places[i].count, into: target, at: places[i].first, offsets: starts)
                }
            }
            guard filled.allSatisfy({ $0 }) else {
                for (i, place) in places.enumerated() where filled[i] {
                    target.deinitialize(place.first..<(place.first + place.count))
                }
                initialized = 0
                throw SnapshotReader.Damaged()
            }
            initialized = total
        }
        guard accepted.count == total else { throw SnapshotReader.Damaged() }
        let index = try EventIndex(reading: &reader, records: SnapshotRecords(bytes: reader.bytes, offsets: offsets, texts: texts))
        var resolver = RoomStateResolver(roomID: roomID, metadata: metadata, suppliedKeys: verifier.suppliedKeys, readerKeys: verifier.readerKeys)
        resolver.state = try RoomState(reading: &reader, roomID: roomID, metadata: metadata, events: EventTable(holding: index))

        var rejected: [Rejection] = []
        for _ in 0..<(try reader.int()) {
            let eventID = try reader.optionalString()
            let objectKey = try reader.string()
            let line = try reader.optionalString().map { (text: String) throws(SnapshotReader.Damaged) -> Int in
                guard let number = Int(text) else { throw SnapshotReader.Damaged() }
                return number
            }
            guard let reason = RejectionReason(rawValue: try reader.string()) else { throw SnapshotReader.Damaged() }
            rejected.append(Rejection(eventID: eventID, objectKey: objectKey, line: line, reason: reason, detail: try reader.string()))
        }
        var alarms: [Alarm] = []
        for _ in 0..<(try reader.int()) {
            guard let kind = AlarmKind(rawValue: try reader.string()) else { throw SnapshotReader.Damaged() }
            alarms.append(Alarm(kind: kind, senderID: try reader.optionalString(), eventID: try reader.optionalString(),
                                detail: try reader.string()))
        }
        var warnings: [VerificationWarning] = []
        for _ in 0..<(try reader.int()) {
            warnings.append(VerificationWarning(kind: try reader.string(), objectKey: try reader.optionalString(),
                                                detail: try reader.string()))
        }
        // The metadata must raise today exactly the alarms it raised then (a
        // creator key pinned since, or a metadata object replaced, changes them).
        let metadataKinds: Set<AlarmKind> = [.missingMetadata, .badMetadata, .creatorKeyChanged]
        guard alarms.filter({ metadataKinds.contains($0.kind) }) == metadataAlarms else { return nil }

        var positions: [TimelinePosition?] = []
        for _ in 0..<2 {
            let eventID = try reader.optionalString()
            let timestampMs = try reader.i64()
            positions.append(eventID.map { TimelinePosition(timestampMs: timestampMs, eventID: $0) })
        }
        var tips: [PublicKey: ChainTip] = [:]
        for _ in 0..<(try reader.int()) {
            let key = keys[try reader.index(below: keys.count)]
            tips[key] = ChainTip(hash: ExactString(try reader.string()), timestampMs: try reader.i64(), linked: try reader.u8() == 1)
        }
        let missingPrevs = Set(try reader.strings().map(ExactString.init))
        let otherIDs = try reader.strings()
        guard reader.isAtEnd else { throw SnapshotReader.Damaged() }

        ledger.frontier = TimelineFrontier(last: positions[0], barrier: positions[1], unacceptedIDs: Set(otherIDs.map(ExactString.init)),
                                           tips: tips, missingPrevs: missingPrevs)
        ledger.verification = RoomVerification(roomID: roomID, metadata: metadata, accepted: accepted, rejected: rejected,
                                               alarms: alarms, warnings: warnings, skippedKeys: ledger.skipped.sorted(),
                                               resolver: resolver)
        return ledger
    }
}

/// What each half of a restore gives.
private enum RestoredHalf: Sendable {
    case intact(Bool)
    case ledger(RoomLedger??)
}

/// What decoding a timeline record needs: the tables the snapshot numbers
/// things by, and the bytes the lines are in.
private struct RecordContext: Sendable {
    let roomID: String
    let texts: [String]
    let keys: [PublicKey]
    let objectKeys: [String]
    let objectStarts: [Int]
    let blob: SnapshotSlice

    /// Decodes `count` records into `target` from index `first` on. Returns
    /// false, with nothing of its part left initialized, if a record is damaged.
    func decode(_ reader: inout SnapshotReader, count: Int, into target: Filling<VerifiedEvent>, at first: Int,
                offsets: Filling<Int>) -> Bool {
        var done = 0
        do {
            while done < count {
                offsets.buffer[first + done] = reader.offset
                target.initialize(first + done, to: try decode(&reader))
                done += 1
            }
            return true
        } catch {
            target.deinitialize(first..<(first + done))
            return false
        }
    }

    private func decode(_ reader: inout SnapshotReader) throws(SnapshotReader.Damaged) -> VerifiedEvent {
        let eventID = try reader.string()
        let timestampMs = try reader.i64()
        let sender = texts[try reader.index(below: texts.count)]
        let type = texts[try reader.index(below: texts.count)]
        let parent = try reader.optionalString()
        let object = try reader.index(below: objectKeys.count)
        let line = try reader.int()
        let offset = try reader.int(below: blob.count)
        let length = try reader.int(below: blob.count - offset + 1)
        let hash = try reader.string()
        let signerNumber = try reader.index(below: keys.count + 1)
        var marks: Set<AlarmKind> = []
        for _ in 0..<(try reader.int()) {
            guard let kind = AlarmKind(rawValue: try reader.string()) else { throw SnapshotReader.Damaged() }
            marks.insert(kind)
        }
        let lineStart = blob.range.lowerBound + offset
        guard lineStart >= objectStarts[object] else { throw SnapshotReader.Damaged() }
        let event = Event(eventID: eventID, roomID: roomID, timestampMs: timestampMs, senderID: sender, type: type,
                          parentEventID: parent, line: SnapshotSlice(bytes: blob.bytes, range: lineStart..<(lineStart + length)), hash: hash)
        return VerifiedEvent(event: event, hash: hash, objectKey: objectKeys[object], line: line,
                             signer: signerNumber == 0 ? nil : keys[signerNumber - 1], marks: marks)
    }
}

extension SnapshotReader {
    mutating func strings() throws(Damaged) -> [String] {
        var out: [String] = []
        for _ in 0..<(try int()) { out.append(try string()) }
        return out
    }
}
