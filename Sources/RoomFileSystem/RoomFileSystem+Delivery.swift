import ChatEngine
import ChatProtocol

extension RoomFileSystem {
    /// Applies one sync's updates to a room's files: new timeline lines (the
    /// history on the first sync), `events.jsonl`, threads, `alerts`, and the
    /// summary the small files are made from. Wakes `follow` readers.
    func deliver(_ view: RoomView) {
        let (roomID, updates, verification, failure) = (view.roomID, view.updates, view.verification, view.failure)
        let waiters: [@Sendable () -> Void] = locked {
            guard let room = rooms[roomID] else { return [] }
            let now = RoomFileSystem.nowMs()
            let before = room.timeline.size
            if let verification {
                let state = verification.state
                for update in updates {
                    switch update {
                    case .event(let verified, let late):
                        let event = verified.event
                        room.unsynced[event.eventID] = nil
                        listFile(of: event, message: state.message(of: event), in: room, redacted: state.isRedacted(event.eventID))
                        if case .typing(let on) = event.content {
                            room.typing[event.senderID] = on ? event.timestampMs : nil
                            room.events.append(event, timelineLine: nil)
                        } else if let shown = room.unconfirmed.removeValue(forKey: event.eventID) {
                            room.events.append(event, timelineLine: shown)
                        } else if let line = TimelineLine.render(verified, late: late, displayName: state.members[event.senderID]?.displayName,
                                                                 redacted: state.isRedacted(event.eventID), epochs: state.epochs) {
                            room.timeline.append(line)
                            room.events.append(event, timelineLine: room.timeline.lineCount - 1)
                            if let parent = event.parentEventID { appendToThread(room, parent: parent, line: line) }
                        } else {
                            room.events.append(event, timelineLine: nil)
                        }
                    case .rejected(let rejection):
                        alert(room, kind: "rejected", code: rejection.reason.rawValue,
                              place: rejection.objectKey + (rejection.line.map { ":\($0)" } ?? ""), detail: rejection.detail)
                    case .alarm(let alarm):
                        alert(room, kind: "alarm", code: alarm.kind.rawValue,
                              place: alarm.eventID.map(EventReference.short) ?? alarm.senderID ?? "-", detail: alarm.detail)
                    case .stateChanged:
                        break
                    }
                }
                if !updates.isEmpty && room.files.count > 0 { room.files.removeRedacted(state.isRedacted) }
                room.name = state.name ?? verification.metadata?.name ?? room.name
                room.topic = state.topic
                room.creator = verification.metadata?.creator
                room.joinRule = verification.metadata?.joinRule.rawValue
                room.admins = state.admins
                room.members = state.members.sorted { $0.key < $1.key }.map { (id: $0.key, member: $0.value) }
                room.acceptedCount = verification.accepted.count
                room.rejectedCount = verification.rejected.count
                room.alarmCount = verification.alarms.count + room.fileAlarmsShown.count
                room.integrityOK = !verification.hasIntegrityProblem
            }
            if failure == nil || !updates.isEmpty { room.loaded = true }
            room.hasMetadata = view.metadata != nil
            room.legacy = view.metadata?.isLegacy ?? false
            if failure == nil { room.lastSyncMs = now }
            room.lastSyncError = failure
            room.upload = view.upload
            if verification != nil { room.modifiedMs = now }
            guard room.timeline.size > before else { return [] }
            lock.broadcast()
            defer { room.pollWaiters = [] }
            return room.pollWaiters
        }
        for wake in waiters { wake() }
    }
}
