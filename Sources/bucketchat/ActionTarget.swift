import ChatEngine
import ChatProtocol

/// Where a command's actions go: the room's session in this process, or the
/// process that owns this identity's rooms in the store (a running mount),
/// through its socket, so the command neither waits for a journal it cannot
/// lock nor starts a second chain beside the owner's.
final class ActionTarget {
    enum Route {
        case local(RoomSession)
        case owner(RoomHostClient)
    }

    let route: Route
    let roomID: String
    /// Whether an action changed membership (a join, leave, invite, removal, key).
    private(set) var changedMembership = false

    init(_ route: Route, roomID: String) {
        self.route = route
        self.roomID = roomID
    }

    /// Performs an action; returns the new event's id once it is durable in the journal.
    func act(_ action: RoomAction) async throws -> String {
        try await perform(action).eventID
    }

    /// Performs an action; returns the new event once it is durable in the
    /// journal (the owner's, through its socket, when a mount owns the room).
    func perform(_ action: RoomAction) async throws -> Event {
        switch action {
        case .join, .leave, .invite, .kick, .ban, .addKey: changedMembership = true
        default: break
        }
        switch route {
        case .local(let session):
            return try await session.act(action)
        case .owner(let owner):
            let answer = try owner.request(JSONObject([("op", "act"), ("room", .string(roomID)), ("actions", .array([.object(action.wire)]))]))
            guard let signed = answer["signed"]?.arrayValue?.first, let event = try? Event(json: signed) else {
                throw EngineError(.invalidEvent, "the owner of room \(roomID) answered without the event")
            }
            return event
        }
    }
}
