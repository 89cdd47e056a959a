/// Every accepted event of a room by id, as references (redacts, replaces,
/// relates_to, parent) and duplicate checks need them.
///
/// Kept in shards by the last byte of the id, so that restoring a large room
/// fills them side by side on every core. Which shard an id lands in only
/// spreads the work: lookups are exact whatever the ids are.
struct EventTable: Sendable {
    static let shardCount = 4
    private var shards: [[ExactString: RoomState.EventRef]]

    init() {
        shards = Array(repeating: [:], count: EventTable.shardCount)
    }

    static func shard(of id: String) -> Int {
        Int(id.utf8.last ?? 0) & (shardCount - 1)
    }

    subscript(id: ExactString) -> RoomState.EventRef? {
        get { shards[EventTable.shard(of: id.value)][id] }
        set { shards[EventTable.shard(of: id.value)][id] = newValue }
    }

    var count: Int { shards.reduce(0) { $0 + $1.count } }

    /// The table holding `events`, filled one shard per core.
    init(filling events: [VerifiedEvent]) {
        var members = Array(repeating: [Int32](), count: EventTable.shardCount)
        for i in events.indices { members[EventTable.shard(of: events[i].event.eventID)].append(Int32(i)) }
        let indices = members
        shards = Parallel.map(count: EventTable.shardCount) { shard -> [ExactString: RoomState.EventRef] in
            var table = [ExactString: RoomState.EventRef](minimumCapacity: indices[shard].count)
            for i in indices[shard] {
                table[ExactString(events[Int(i)].event.eventID)] = RoomState.EventRef(
                    senderID: events[Int(i)].event.senderID, type: events[Int(i)].event.type,
                    timestampMs: events[Int(i)].event.timestampMs)
            }
            return table
        }
    }
}
