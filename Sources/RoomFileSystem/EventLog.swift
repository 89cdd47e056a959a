import ChatEngine
import ChatProtocol

/// The verified events of a room as `events.jsonl` shows them: one stored
/// JSON line each, in the order they reached the mount.
///
/// Lines are made when read, not kept: a big room's JSON would double the
/// daemon's memory. The cumulative end offsets keep `stat` exact and find
/// the first event a read at any offset needs by binary search.
struct EventLog {
    private(set) var events: [Event] = []
    /// End offset (exclusive) of each event's line, newline included.
    private(set) var ends: [Int] = []
    /// The timeline line each event was shown on, -1 when it has none (typing).
    private(set) var timelineLines: [Int32] = []

    var size: Int { ends.last ?? 0 }
    var count: Int { events.count }

    mutating func append(_ event: Event, timelineLine: Int?) {
        let length = event.lineBytes.count + 1
        events.append(event)
        ends.append(size + length)
        timelineLines.append(Int32(timelineLine ?? -1))
    }

    /// The timeline line of the latest event with this id, if it has one.
    func timelineLine(of eventID: String) -> Int? {
        guard let index = events.lastIndex(where: { $0.eventID == eventID }) else { return nil }
        let line = Int(timelineLines[index])
        return line >= 0 ? line : nil
    }

    /// The id of the message whose short reference is `reference`, if any.
    func message(withReference reference: String) -> Event? {
        events.last { event in
            if case .message = event.content { return EventReference.short(event.eventID) == reference }
            return false
        }
    }

    func read(at offset: Int, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        guard offset >= 0, offset < size, buffer.count > 0 else { return 0 }
        // First event whose line ends after `offset`.
        var low = 0, high = ends.count - 1
        while low < high {
            let mid = (low + high) / 2
            if ends[mid] > offset { high = mid } else { low = mid + 1 }
        }
        var written = 0
        var index = low
        var skip = offset - (index == 0 ? 0 : ends[index - 1])
        while written < buffer.count, index < events.count {
            var line = events[index].lineBytes
            line.append(0x0A)
            let count = min(line.count - skip, buffer.count - written)
            line.withUnsafeBytes { source in
                guard let from = source.baseAddress, let to = buffer.baseAddress else { return }
                (to + written).copyMemory(from: from + skip, byteCount: count)
            }
            written += count
            skip = 0
            index += 1
        }
        return written
    }
}
