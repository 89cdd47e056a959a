import ChatEngine
import ChatProtocol
import ObjectStore

/// Collects a reader's update stream.
actor UpdateLog {
    private(set) var updates: [RoomUpdate] = []
    private(set) var failures: [StoreError] = []

    func add(_ update: RoomUpdate) { updates.append(update) }
    func fail(_ error: StoreError) { failures.append(error) }

    /// Message bodies in delivery order.
    func messageBodies() -> [String] {
        updates.compactMap { update in
            guard case .event(let verified, _) = update, case .message(let message) = verified.event.content else { return nil }
            return message.body
        }
    }

    /// Rejections and alarms, described.
    var problems: [String] {
        updates.compactMap { update in
            switch update {
            case .rejected(let rejection): return "rejected \(rejection.reason.rawValue): \(rejection.detail)"
            case .alarm(let alarm): return "alarm \(alarm.kind.rawValue): \(alarm.detail)"
            case .event, .stateChanged: return nil
            }
        }
    }

    var alarms: [Alarm] {
        updates.compactMap { if case .alarm(let alarm) = $0 { return alarm } else { return nil } }
    }
}
