import Synchronization

/// The line of an event restored from a room snapshot, decoded the first time
/// its body is read and kept from then on.
///
/// The snapshot's lines are not covered by its checksum (they are most of its
/// bytes, and most are never read), so the line is checked when it is
/// decoded: its event hash must be the one this reader verified. A line that
/// fails (a damaged file) gives an empty body with `unknown` content rather
/// than a wrong event, or a stop of the process on local state.
final class DeferredEventBody: Sendable {
    /// The event's canonical line, without the newline.
    let line: SnapshotSlice
    /// `event_hash` of the event, as verified.
    let hash: String
    /// The decoded body, nil until first read. A reference, so that the
    /// million of these a large room restores stay small.
    private struct LazyBody {
        var held: HeldEventBody?
    }

    /// The lock guards the decoded body.
    private let decoded = Mutex(LazyBody())

    init(line: SnapshotSlice, hash: String) {
        self.line = line
        self.hash = hash
    }

    var fields: EventBody {
        if let held = decoded.withLock({ $0.held }) { return held.fields }
        let held = HeldEventBody(DeferredEventBody.decode(line, hash: hash))
        decoded.withLock { $0.held = held }
        return held.fields
    }

    private static func decode(_ line: SnapshotSlice, hash: String) -> EventBody {
        // Lines in canonical form (all a writer of this profile emits) are read
        // without a full parse, and their signed bytes are the line without
        // the signature; any other line is parsed strictly and encoded.
        let decoded: (event: Event, signed: [UInt8])? = line.withUnsafeBuffer { buffer in
            if let reading = CanonicalLineReader.read(buffer), let event = try? Event(json: .object(reading.object)) {
                var signed = Array(buffer)
                if let cut = reading.signature { signed.removeSubrange(cut) }
                return (event, signed)
            }
            guard let value = try? JSONParser(maxBytes: LogFileParser.maxLineBytes).parse(buffer: buffer),
                  let event = try? Event(json: value)
            else { return nil }
            return (event, event.canonicalBytes)
        }
        guard let decoded, case .held(let held) = decoded.event.body, Base64.encode(SHA256.digest(decoded.signed)) == hash else {
            return EventBody(prevEventHash: nil, signature: "", content: .unknown(JSONObject()), json: JSONObject())
        }
        return held.fields
    }
}
