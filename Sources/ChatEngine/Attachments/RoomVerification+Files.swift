import ChatProtocol

extension RoomVerification {
    /// Every accepted `m.file` message in timeline order, redacted ones left out.
    public var sharedFiles: [SharedFile] {
        var out: [SharedFile] = []
        let state = self.state
        for verified in accepted where verified.event.type == EventType.message || verified.event.type == EventType.encrypted {
            let event = verified.event
            guard let message = state.message(of: event), let file = message.file,
                  !state.isRedacted(event.eventID) else { continue }
            out.append(SharedFile(eventID: event.eventID, senderID: event.senderID, timestampMs: event.timestampMs,
                                  body: message.body, file: file))
        }
        return out
    }
}
