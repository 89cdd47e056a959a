/// The fields of an event besides those that place it in a timeline: its
/// chain link, signature, decoded content and the whole object as read.
struct EventBody: Sendable {
    let prevEventHash: String?
    let signature: String
    let content: EventContent
    let json: JSONObject
}

/// An event body decoded when the event was read.
final class HeldEventBody: Sendable {
    let fields: EventBody

    init(_ fields: EventBody) {
        self.fields = fields
    }
}
