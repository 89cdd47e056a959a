/// Every accepted event of a room by id, as references (redacts, replaces,
/// relates_to, parent) and duplicate checks need them.
///
/// Events come in two ways. In bulk: an ``EventIndex`` built over many events
/// at once on every core (a room's lines when it is verified from the
/// start, its timeline when it is restored), with a bit per place saying
/// whether that event is in the table yet — authorisation reveals each event
/// as it accepts it, so a reference can only name an event accepted before.
/// And one by one, into a dictionary, for events that arrive later or whose
/// id the bulk index does not map.
struct EventTable: Sendable {
    private var base: EventIndex?
    /// Which places of `base` are in the table.
    private var shown: [UInt64] = []
    private var added: [ExactString: RoomState.EventRef] = [:]

    init() {}

    /// A table over `index` with none of its events in it yet: ``show(_:)`` enters them.
    init(over index: EventIndex) {
        base = index
        shown = [UInt64](repeating: 0, count: (index.count + 63) / 64)
    }

    /// The table holding every event `index` holds.
    init(holding index: EventIndex) {
        self.init(over: index)
        let count = index.count
        shown = [UInt64](repeating: ~0, count: shown.count)
        if count % 64 != 0, !shown.isEmpty { shown[shown.count - 1] = (1 << UInt64(count % 64)) - 1 }
        // An id the timeline holds twice (never, for a timeline this reader verified): the later one stands.
        for place in index.repeats {
            hide(place)
            added[ExactString(index.id(at: place))] = index.ref(at: place)
        }
    }

    /// The table holding `events`: one index built over them on every core.
    init(filling events: [VerifiedEvent]) {
        self.init(holding: EventIndex(.timeline(events)))
    }

    /// The index the table's bulk events are in, if any.
    var index: EventIndex? { base }

    static func entry(_ event: Event) -> EventIndex.Entry {
        EventIndex.Entry(id: event.eventID, ref: RoomState.EventRef(senderID: event.senderID, type: event.type, timestampMs: event.timestampMs))
    }

    subscript(id: ExactString) -> RoomState.EventRef? {
        if let ref = added[id] { return ref }
        guard let base, let place = base.place(of: id.value), isShown(place) else { return nil }
        return base.ref(at: place)
    }

    /// Enters one event.
    mutating func insert(_ id: ExactString, _ ref: RoomState.EventRef) {
        if let base, let place = base.place(of: id.value), base.ref(at: place) == ref {
            show(place)
            return
        }
        added[id] = ref
    }

    /// Enters the event at `place` of the bulk index; it must be the only one there with its id.
    mutating func show(_ place: Int) {
        shown[place >> 6] |= UInt64(1) << UInt64(place & 63)
    }

    private mutating func hide(_ place: Int) {
        shown[place >> 6] &= ~(UInt64(1) << UInt64(place & 63))
    }

    /// Whether the event at `place` of the bulk index is in the table.
    func isShown(_ place: Int) -> Bool {
        place >> 6 < shown.count && shown[place >> 6] & (UInt64(1) << UInt64(place & 63)) != 0
    }
}
