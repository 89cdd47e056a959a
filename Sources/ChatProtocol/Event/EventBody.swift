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

/// The body of an event read from a line in canonical form.
///
/// Keeps what readers use (content, chain link, signature) and the line
/// itself, a slice of its object's bytes, which the ledger holds anyway; the
/// JSON object is read again from the line when something asks for it
/// (rarely: `log --json`), so a large room does not hold a JSON tree per
/// event. The signed bytes are the line without its signature member.
final class LineEventBody: Sendable {
    /// The event's canonical line, without the newline.
    let line: ArraySlice<UInt8>
    /// Where the top-level signature member (with one comma) lies in `line`,
    /// counted from the line's start.
    let signatureRange: Range<Int>
    let prevEventHash: String?
    let signature: String
    let content: EventContent

    init(line: ArraySlice<UInt8>, signature: Range<Int>, prevEventHash: String?, signatureText: String, content: EventContent) {
        self.line = line
        self.signatureRange = signature
        self.prevEventHash = prevEventHash
        self.signature = signatureText
        self.content = content
    }

    /// `canonical(event)`: the line with the signature member cut out.
    var canonicalBytes: [UInt8] {
        let start = line.startIndex
        var out: [UInt8] = []
        out.reserveCapacity(line.count - signatureRange.count)
        out += line[start..<(start + signatureRange.lowerBound)]
        out += line[(start + signatureRange.upperBound)...]
        return out
    }

    /// The event object, read again from the line.
    var json: JSONObject {
        line.withUnsafeBufferPointer { CanonicalLineReader.read($0)?.object } ?? JSONObject()
    }
}
