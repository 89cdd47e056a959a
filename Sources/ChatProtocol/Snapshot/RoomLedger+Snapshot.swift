/// A room's verified ledger written down, so that opening the room again
/// costs reading a file rather than parsing and authorising every event.
///
/// A snapshot holds the bytes of every object the ledger has taken in (so a
/// later full run can parse them again), each accepted event's identifying
/// fields and where its line is, the problems found, the keys, and what
/// ``TimelineFrontier`` knows. Restoring it authorises nothing again: it is
/// this reader's own record of what it verified, trusted like the signature
/// memo beside it. Events come back with their lines undecoded (see
/// ``Event``), the table of events is the index written with them
/// (``EventIndex``), and the rest of the room's state is read as written
/// (`RoomState+Snapshot.swift`).
///
/// Rooms whose result could change with nothing new arriving are not
/// written: legacy rooms (their keys come from the user) and rooms where a
/// line waits for this reader's clock (`future_timestamp`).
extension RoomLedger {
    static let snapshotMagic = Array("bucketchat-ledger-3\n".utf8)

    /// The ledger as bytes for ``restore(_:roomID:verifier:versions:)``, or nil
    /// when this room is not snapshotted (see above) or has not been verified.
    ///
    /// - Parameter version: the version (etag and size) of each object taken
    ///   in, by key; a restore uses the snapshot only if the store still shows them.
    public func snapshot(version: (String) -> String?) -> LedgerSnapshot? {
        // A private room's opened content and epoch keys are not in the
        // snapshot format: such a room verifies from its cached objects.
        guard let frontier, let metadataObject, let metadata = verification.metadata, !metadata.isLegacy, !metadata.isPrivate,
              !verification.rejected.contains(where: { $0.reason == .futureTimestamp }),
              let metadataVersion = version(metadataObject.key)
        else { return nil }

        // Objects, with their bytes laid end to end.
        var objects: [(key: String, name: LogObjectName, bytes: LedgerSnapshot.Piece)] = []
        for (key, entry) in entries { objects.append((key, entry.name, .held(entry.bytes))) }
        for (key, entry) in dormant { objects.append((key, entry.name, .restored(entry.bytes))) }
        objects.sort { $0.key < $1.key }
        var objectIndex: [String: Int] = [:]
        var blobSize = 0
        for (i, object) in objects.enumerated() {
            objectIndex[object.key] = i
            blobSize += object.bytes.count
        }
        var writer = SnapshotWriter(capacity: objects.count * 160 + 4096)
        writer.run(RoomLedger.snapshotMagic)
        writer.string(roomID)
        writer.string(metadataObject.key)
        writer.string(metadataVersion)
        writer.run(metadataObject.bytes)
        writer.int(objects.count)
        var offsets: [Int] = []
        var offset = 0
        for object in objects {
            guard let tag = version(object.key) else { return nil }
            writer.string(object.key)
            writer.string(tag)
            writer.int(object.bytes.count)
            offsets.append(offset)
            offset += object.bytes.count
        }
        writer.u64(UInt64(blobSize))
        // The lines are written from where they lie; the records after them go to a second buffer.
        let head = writer.bytes
        let lines = head.count..<(head.count + blobSize)
        writer = SnapshotWriter(capacity: verification.accepted.count * 160 + 4096)
        writer.strings(skipped.sorted())
        writer.strings(unverifiedEntries.sorted())

        // Keys and senders, numbered once.
        var keys: [PublicKey] = []
        var keyIndex: [PublicKey: Int] = [:]
        func number(_ key: PublicKey) -> Int {
            if let i = keyIndex[key] { return i }
            keyIndex[key] = keys.count
            keys.append(key)
            return keys.count - 1
        }
        var texts: [String] = []
        var textIndex: [String: Int] = [:]
        func text(_ value: String) -> UInt32 {
            if let i = textIndex[value] { return UInt32(i) }
            textIndex[value] = texts.count
            texts.append(value)
            return UInt32(texts.count - 1)
        }
        for sender in candidates.keys.sorted() { for key in candidates[sender] ?? [] { _ = number(key) } }
        for key in frontier.tips.keys { _ = number(key) }
        for event in verification.accepted {
            if let signer = event.signer { _ = number(signer) }
            _ = text(event.event.senderID)
            _ = text(event.event.type)
        }
        writer.int(keys.count)
        for key in keys { writer.run(key.bytes) }
        writer.strings(texts)
        writer.int(candidates.count)
        for sender in candidates.keys.sorted() {
            writer.string(sender)
            let list = candidates[sender] ?? []
            writer.int(list.count)
            for key in list { writer.u32(UInt32(number(key))) }
        }

        // The timeline, in chunks a restore decodes side by side. A line's
        // place is its object's offset plus its range there.
        let accepted = verification.accepted
        let chunkSize = max(50_000, (accepted.count + 15) / 16)
        writer.int(accepted.count)
        writer.int((accepted.count + chunkSize - 1) / chunkSize)
        for chunkStart in stride(from: 0, to: accepted.count, by: chunkSize) {
            var chunk = SnapshotWriter(capacity: chunkSize * 160)
            let chunkEnd = min(accepted.count, chunkStart + chunkSize)
            for i in chunkStart..<chunkEnd {
                guard let object = objectIndex[accepted[i].objectKey], let range = lineRange(of: accepted[i]) else { return nil }
                let event = accepted[i].event
                chunk.string(event.eventID)
                chunk.i64(event.timestampMs)
                chunk.u32(text(event.senderID))
                chunk.u32(text(event.type))
                chunk.optionalString(event.parentEventID)
                chunk.u32(UInt32(object))
                chunk.int(accepted[i].line)
                chunk.int(offsets[object] + range.lowerBound)
                chunk.int(range.count)
                chunk.string(accepted[i].hash)
                chunk.u32(accepted[i].signer.map { UInt32(number($0)) + 1 } ?? 0)
                chunk.strings(accepted[i].marks.map(\.rawValue).sorted())
            }
            writer.int(chunkEnd - chunkStart)
            writer.int(chunk.bytes.count)
            writer.raw(chunk.bytes[...])
        }
        // The table of events over the timeline and the rest of the state, so a restore need not build them.
        timelineIndex.write(to: &writer)
        verification.state.write(to: &writer)

        writer.int(verification.rejected.count)
        for rejection in verification.rejected {
            writer.optionalString(rejection.eventID)
            writer.string(rejection.objectKey)
            writer.optionalString(rejection.line.map { String($0) })
            writer.string(rejection.reason.rawValue)
            writer.string(rejection.detail)
        }
        writer.int(verification.alarms.count)
        for alarm in verification.alarms {
            writer.string(alarm.kind.rawValue)
            writer.optionalString(alarm.senderID)
            writer.optionalString(alarm.eventID)
            writer.string(alarm.detail)
        }
        writer.int(verification.warnings.count)
        for warning in verification.warnings {
            writer.string(warning.kind)
            writer.optionalString(warning.objectKey)
            writer.string(warning.detail)
        }

        // The frontier: positions, chain tips, missing predecessors, and the
        // ids of lines that are in no accepted event.
        for position in [frontier.last, frontier.barrier] {
            writer.optionalString(position?.eventID)
            writer.i64(position?.timestampMs ?? 0)
        }
        writer.int(frontier.tips.count)
        for (key, tip) in frontier.tips.sorted(by: { $0.key.base64 < $1.key.base64 }) {
            writer.u32(UInt32(number(key)))
            writer.string(tip.hash.value)
            writer.i64(tip.timestampMs)
            writer.u8(tip.linked ? 1 : 0)
        }
        writer.strings(frontier.missingPrevs.map(\.value).sorted())
        writer.strings(frontier.unacceptedIDs.map(\.value).sorted())
        writer.seal(lines: lines, head: head)
        return LedgerSnapshot(head: head, lines: objects.map(\.bytes), tail: writer.bytes)
    }

    /// An index of the timeline's ids: the table of events' own when it is
    /// one (a restored ledger nothing was added to), else a new one.
    private var timelineIndex: EventIndex {
        let accepted = verification.accepted
        if let index = verification.resolver.state.events.index, case .timeline(let timeline) = index.events,
           timeline.count == accepted.count, index.repeats.isEmpty,
           timeline.withUnsafeBufferPointer({ a in accepted.withUnsafeBufferPointer { $0.baseAddress == a.baseAddress } }) {
            return index
        }
        return EventIndex(.timeline(accepted))
    }

    /// Where an accepted event's line lies in its object.
    private func lineRange(of accepted: VerifiedEvent) -> Range<Int>? {
        if let entry = entries[accepted.objectKey] {
            // Lines are kept in file order: find this one by its number.
            var low = 0, high = entry.lines.count
            while low < high {
                let middle = (low + high) / 2
                if entry.lines[middle].line.line < accepted.line { low = middle + 1 } else { high = middle }
            }
            guard low < entry.lines.count, entry.lines[low].line.line == accepted.line else { return nil }
            return entry.lines[low].line.range
        }
        if let entry = dormant[accepted.objectKey], let line = accepted.event.deferredLine {
            let start = line.range.lowerBound - entry.bytes.range.lowerBound
            return start..<(start + line.count)
        }
        return nil
    }
}

extension SnapshotWriter {
    mutating func strings(_ values: [String]) {
        int(values.count)
        for value in values { string(value) }
    }
}
