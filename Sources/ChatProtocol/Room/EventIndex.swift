import CSodium
import Dispatch

/// Event ids mapped to their places in a list of events, built over the whole
/// list at once on every core: the bulk of a large room's table of events,
/// and how the ids that occur more than once are found.
///
/// Open addressing over 64-bit keyed hashes of the ids (SipHash-2-4 under a
/// key drawn for each index, so ids chosen to collide cannot slow it down),
/// split into shards by the hash's top bits so that separate workers fill
/// them side by side. An id that occurs more than once is not mapped: the
/// places that hold it are reported in ``repeats`` for the caller to settle.
///
/// An index over a room's timeline is written into the room's snapshot and
/// used from there as it is (``write(to:)``, ``init(reading:timeline:)``):
/// a restored room needs no hashing at all until something is looked up.
final class EventIndex: Sendable {
    /// What the table of events needs of one event.
    struct Entry: Sendable {
        let id: String
        let ref: RoomState.EventRef
    }

    /// The indexed events: entries made for the index, a timeline as it is
    /// (only to write an index into a snapshot), or a snapshot's records.
    enum Events: Sendable {
        case entries([Entry])
        case lines([RoomVerifier.CheckedLine])
        case timeline([VerifiedEvent])
        case records(SnapshotRecords)
    }

    /// The slots: made here, or read in place from a snapshot.
    private enum Slots: Sendable {
        case owned([UInt64])
        case mapped(SnapshotSlice)
    }

    let events: Events
    /// Every place whose id occurs at more than one place, in ascending order.
    let repeats: [Int]
    private let key: [UInt8]
    /// Per slot: 0 when empty, else some of the hash's bits above the place + 1.
    private let slots: Slots
    private let shardStarts: [Int]
    private let shardMasks: [Int]
    private let repeated: Set<Int>

    private static let shardBits = 5
    private static let shardCount = 1 << shardBits

    private init(events: Events, key: [UInt8], slots: Slots, starts: [Int], masks: [Int], repeats: [Int]) {
        self.events = events
        self.key = key
        self.slots = slots
        self.shardStarts = starts
        self.shardMasks = masks
        self.repeated = Set(repeats)
        self.repeats = repeats.sorted()
    }

    /// Indexes `events`: one pass hashing the ids on every core, one filling
    /// the shards side by side.
    convenience init(_ events: Events) {
        _ = Sodium.ready
        let key = RandomBytes.make(Int(crypto_shorthash_KEYBYTES))
        let hashes: [UInt64]
        switch events {
        case .entries(let entries): hashes = Parallel.map(entries) { EventIndex.hash($0.id, key: key) }
        case .lines(let lines): hashes = Parallel.map(lines) { EventIndex.hash($0.line.event.eventID, key: key) }
        case .timeline(let timeline): hashes = Parallel.map(timeline) { EventIndex.hash($0.event.eventID, key: key) }
        case .records(let records): hashes = Parallel.map(Array(0..<records.count)) { EventIndex.hash(records.id(at: $0), key: key) }
        }
        let shardCount = EventIndex.shardCount
        var counts = [Int](repeating: 0, count: shardCount)
        for hash in hashes { counts[EventIndex.shard(of: hash)] += 1 }
        // Each shard gets a power of two of at least twice its entries, so probes stay short.
        var starts: [Int] = []
        var masks: [Int] = []
        var total = 0
        for count in counts {
            var capacity = 16
            while capacity < count * 2 { capacity <<= 1 }
            starts.append(total)
            masks.append(capacity - 1)
            total += capacity
        }
        // The places of each shard in ascending order (a counting sort), so an id's first place is met first.
        var firsts = [Int](repeating: 0, count: shardCount + 1)
        for shard in 0..<shardCount { firsts[shard + 1] = firsts[shard] + counts[shard] }
        var cursor = firsts
        var places = [Int32](repeating: 0, count: hashes.count)
        for (place, hash) in hashes.enumerated() {
            let shard = EventIndex.shard(of: hash)
            places[cursor[shard]] = Int32(place)
            cursor[shard] += 1
        }
        let (shardPlaces, shardFirsts, shardStarts, shardMasks) = (places, firsts, starts, masks)
        var found: [[Int]] = []
        let slots = [UInt64](unsafeUninitializedCapacity: total) { buffer, initialized in
            buffer.initialize(repeating: 0)
            let target = Filling(buffer: buffer)
            // Each worker fills one shard's slots, which no other touches.
            found = Parallel.map(count: shardCount) { shard -> [Int] in
                var repeats: [Int] = []
                for i in shardFirsts[shard]..<shardFirsts[shard + 1] {
                    let place = Int(shardPlaces[i])
                    let hash = hashes[place]
                    let tag = EventIndex.tag(of: hash)
                    var slot = Int(truncatingIfNeeded: hash) & shardMasks[shard]
                    while true {
                        let held = target.buffer[shardStarts[shard] + slot]
                        if held == 0 {
                            target.buffer[shardStarts[shard] + slot] = tag | UInt64(place + 1)
                            break
                        }
                        if held & EventIndex.tagMask == tag {
                            let other = Int(held & EventIndex.placeMask) - 1
                            if EventIndex.id(at: other, in: events).hasSameBytes(as: EventIndex.id(at: place, in: events)) {
                                repeats += [other, place]
                                break
                            }
                        }
                        slot = (slot + 1) & shardMasks[shard]
                    }
                }
                return repeats
            }
            initialized = total
        }
        self.init(events: events, key: key, slots: .owned(slots), starts: starts, masks: masks, repeats: Array(Set(found.joined())))
    }

    var count: Int {
        switch events {
        case .entries(let entries): return entries.count
        case .lines(let lines): return lines.count
        case .timeline(let timeline): return timeline.count
        case .records(let records): return records.count
        }
    }

    func id(at place: Int) -> String { EventIndex.id(at: place, in: events) }

    func ref(at place: Int) -> RoomState.EventRef {
        switch events {
        case .entries(let entries): return entries[place].ref
        case .lines(let lines): return EventTable.entry(lines[place].line.event).ref
        case .timeline(let timeline): return EventTable.entry(timeline[place].event).ref
        case .records(let records): return records.ref(at: place)
        }
    }

    private static func id(at place: Int, in events: Events) -> String {
        switch events {
        case .entries(let entries): return entries[place].id
        case .lines(let lines): return lines[place].line.event.eventID
        case .timeline(let timeline): return timeline[place].event.eventID
        case .records(let records): return records.id(at: place)
        }
    }

    /// Whether the event at `place` has exactly the bytes of `id`.
    private func holds(_ id: String, at place: Int) -> Bool {
        if case .records(let records) = events { return records.id(at: place, is: id) }
        return self.id(at: place).hasSameBytes(as: id)
    }

    /// The place of the one event with this id; nil when there is none, or more than one.
    func place(of id: String) -> Int? {
        let hash = EventIndex.hash(id, key: key)
        let shard = EventIndex.shard(of: hash)
        let tag = EventIndex.tag(of: hash)
        let start = shardStarts[shard]
        let mask = shardMasks[shard]
        let count = self.count
        var slot = Int(truncatingIfNeeded: hash) & mask
        // At most every slot of the shard once: a damaged snapshot's slots may all be taken.
        for _ in 0...mask {
            let held = slotValue(start + slot)
            if held == 0 { return nil }
            if held & EventIndex.tagMask == tag {
                let place = Int(held & EventIndex.placeMask) - 1
                if place < count, holds(id, at: place) { return repeated.contains(place) ? nil : place }
            }
            slot = (slot + 1) & mask
        }
        return nil
    }

    /// Whether the event at `place` is the only one with its id (so ``place(of:)`` finds it).
    func isSole(_ place: Int) -> Bool { !repeated.contains(place) }

    private func slotValue(_ number: Int) -> UInt64 {
        switch slots {
        case .owned(let slots): return slots[number]
        case .mapped(let slice):
            return slice.bytes.withUnsafeBytes {
                UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: slice.range.lowerBound + number * 8, as: UInt64.self))
            }
        }
    }

    private static let placeMask: UInt64 = 0xFFFF_FFFF
    private static let tagMask: UInt64 = ~placeMask

    private static func shard(of hash: UInt64) -> Int { Int(hash >> UInt64(64 - shardBits)) }

    /// Hash bits the slot number and the shard do not use, kept in the slot to skip most id comparisons.
    private static func tag(of hash: UInt64) -> UInt64 { (hash << 16) & tagMask }

    private static func hash(_ id: String, key: [UInt8]) -> UInt64 {
        var out: UInt64 = 0
        let hashed: Void? = id.utf8.withContiguousStorageIfAvailable { bytes in
            EventIndex.hash(UnsafeRawBufferPointer(bytes), key: key, into: &out)
        }
        if hashed == nil {
            var copy = id
            copy.withUTF8 { EventIndex.hash(UnsafeRawBufferPointer($0), key: key, into: &out) }
        }
        return out
    }

    private static func hash(_ bytes: UnsafeRawBufferPointer, key: [UInt8], into out: inout UInt64) {
        bytes.withNonNullBytes { pointer, count in
            withUnsafeMutableBytes(of: &out) { raw in
                _ = crypto_shorthash(raw.baseAddress!.assumingMemoryBound(to: UInt8.self), pointer, UInt64(count), key)
            }
        }
    }
}

extension EventIndex {
    /// Writes the index of a timeline for ``init(reading:timeline:)``: its key,
    /// its shards' sizes, the repeated places and the slots.
    func write(to writer: inout SnapshotWriter) {
        writer.run(key)
        writer.int(shardMasks.count)
        for mask in shardMasks { writer.int(mask + 1) }
        writer.int(repeats.count)
        for place in repeats { writer.int(place) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(((shardStarts.last ?? 0) + (shardMasks.last ?? 0) + 1) * 8)
        switch slots {
        case .owned(let slots): for slot in slots { withUnsafeBytes(of: slot.littleEndian) { bytes += $0 } }
        case .mapped(let slice): slice.withUnsafeBuffer { bytes += $0 }
        }
        writer.run(bytes)
    }

    /// The index ``write(to:)`` wrote for the timeline `records` describe,
    /// its slots left in the snapshot's mapped bytes. Throws when the sizes do
    /// not fit together; a slot naming a place the timeline lacks is passed
    /// over at lookup.
    convenience init(reading reader: inout SnapshotReader, records: SnapshotRecords) throws(SnapshotReader.Damaged) {
        let count = records.count
        let key = try reader.run().array
        guard key.count == Int(crypto_shorthash_KEYBYTES), try reader.int() == EventIndex.shardCount else { throw SnapshotReader.Damaged() }
        var starts: [Int] = []
        var masks: [Int] = []
        var total = 0
        for _ in 0..<EventIndex.shardCount {
            let capacity = try reader.int(below: 1 << 32)
            guard capacity >= 1, capacity & (capacity - 1) == 0 else { throw SnapshotReader.Damaged() }
            starts.append(total)
            masks.append(capacity - 1)
            total += capacity
        }
        var repeats: [Int] = []
        for _ in 0..<(try reader.int(below: count + 1)) { repeats.append(try reader.int(below: count)) }
        let slots = try reader.run()
        guard slots.count == total * 8 else { throw SnapshotReader.Damaged() }
        self.init(events: .records(records), key: key, slots: .mapped(slots), starts: starts, masks: masks, repeats: repeats)
    }
}
