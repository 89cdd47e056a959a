import ChatProtocol

extension RoomVerification {
    /// Every accepted `m.file` message in timeline order, redacted ones left out.
    public var sharedFiles: [SharedFile] {
        var out: [SharedFile] = []
        for verified in accepted where verified.event.type == EventType.message {
            let event = verified.event
            guard case .message(let message) = event.content, let file = message.file,
                  !state.isRedacted(event.eventID) else { continue }
            out.append(SharedFile(eventID: event.eventID, senderID: event.senderID, timestampMs: event.timestampMs,
                                  body: message.body, file: file))
        }
        return out
    }
}
