/// The timeline records of a mapped room snapshot, read where they are.
///
/// A restored room's table of events (an ``EventIndex`` written with the
/// snapshot) compares ids with these records and takes references from
/// them, so it holds no copy of the timeline: the ledger's timeline can grow
/// in place after a restore without copying a million events first.
///
/// Reads check their bounds: the records are under the snapshot's checksum,
/// but that is computed while the restore runs, so a damaged snapshot must
/// give wrong answers (and then be discarded), never a fault.
struct SnapshotRecords: Sendable {
    let bytes: SnapshotBytes
    /// Where each event's record starts in `bytes`.
    let offsets: [Int]
    /// The snapshot's table of sender ids and types.
    let texts: [String]

    var count: Int { offsets.count }

    /// A record starts with the event id (a u32 length and its bytes), then
    /// the timestamp (i64), then the sender and type (u32 numbers in `texts`).
    private func idRange(at place: Int) -> Range<Int>? {
        let start = offsets[place]
        return bytes.withUnsafeBytes { raw -> Range<Int>? in
            guard start >= 0, start + 4 <= raw.count else { return nil }
            let length = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: start, as: UInt32.self)))
            guard start + 4 + length + 16 <= raw.count else { return nil }
            return (start + 4)..<(start + 4 + length)
        }
    }

    func id(at place: Int) -> String {
        guard let range = idRange(at: place) else { return "" }
        return bytes.withUnsafeBytes { String(decoding: UnsafeRawBufferPointer(rebasing: $0[range]), as: UTF8.self) }
    }

    /// Whether the record at `place` holds exactly the bytes of `id`.
    func id(at place: Int, is id: String) -> Bool {
        guard let range = idRange(at: place), range.count == id.utf8.count else { return false }
        return bytes.withUnsafeBytes { raw in
            let stored = UnsafeRawBufferPointer(rebasing: raw[range])
            return id.utf8.withContiguousStorageIfAvailable { stored.elementsEqual($0) } ?? stored.elementsEqual(id.utf8)
        }
    }

    func ref(at place: Int) -> RoomState.EventRef {
        guard let range = idRange(at: place) else { return RoomState.EventRef(senderID: "", type: "", timestampMs: 0) }
        return bytes.withUnsafeBytes { raw in
            let timestamp = Int64(littleEndian: raw.loadUnaligned(fromByteOffset: range.upperBound, as: Int64.self))
            let sender = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: range.upperBound + 8, as: UInt32.self)))
            let type = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: range.upperBound + 12, as: UInt32.self)))
            return RoomState.EventRef(senderID: sender < texts.count ? texts[sender] : "", type: type < texts.count ? texts[type] : "",
                                      timestampMs: timestamp)
        }
    }
}
