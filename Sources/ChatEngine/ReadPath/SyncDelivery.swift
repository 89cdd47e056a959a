import ChatProtocol

/// What one sync (or a load of the cache) delivers, as ``RoomUpdate``s in
/// order: events the room's history holds that were never delivered (all at
/// once, in timeline order, none late), then the other updates.
///
/// A collection rather than an array so that a large room's history is
/// handed over as it is: a room opened with a million events delivers a
/// million `.event` updates, made only as they are read.
public struct SyncDelivery: RandomAccessCollection, Sendable {
    private let history: ArraySlice<VerifiedEvent>
    private let rest: [RoomUpdate]

    /// `history` as `.event` updates (none late), then `rest`.
    init(history: ArraySlice<VerifiedEvent> = [], rest: [RoomUpdate]) {
        self.history = history
        self.rest = rest
    }

    /// The updates of an array.
    public init(_ updates: [RoomUpdate] = []) {
        self.init(rest: updates)
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { history.count + rest.count }

    public subscript(position: Int) -> RoomUpdate {
        position < history.count ? .event(history[history.startIndex + position], late: false) : rest[position - history.count]
    }
}
