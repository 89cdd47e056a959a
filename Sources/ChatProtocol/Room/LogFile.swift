/// Encodes a batch of events as one log object (PROTOCOL.md §1): one
/// canonical JSON line per event, each ending in a newline, named after the
/// smallest and largest timestamp and the writing device.
public enum LogFile {
    /// The object name and bytes for a non-empty batch.
    public static func encode(_ events: [Event], roomID: String, clientID: String) throws(ProtocolError) -> (name: LogObjectName, bytes: [UInt8]) {
        guard let first = events.first else { throw ProtocolError(.schema, "a log file holds at least one event") }
        guard events.count <= LogFileParser.maxEventsPerFile else {
            throw ProtocolError(.schema, "a log file holds at most 10,000 events, not \(events.count)")
        }
        guard RoomID.isValid(clientID) else {
            throw ProtocolError(.schema, "client id \"\(clientID)\" must match [A-Za-z0-9_-]{1,64}")
        }
        var low = first.timestampMs
        var high = first.timestampMs
        var bytes: [UInt8] = []
        for event in events {
            low = min(low, event.timestampMs)
            high = max(high, event.timestampMs)
            let line = event.lineBytes
            guard line.count + 1 <= LogFileParser.maxLineBytes else {
                throw ProtocolError(.schema, "event \(event.eventID) is \(line.count) bytes, over the 64 KiB line limit")
            }
            bytes += line
            bytes.append(0x0A)
        }
        guard bytes.count <= LogFileParser.maxFileBytes else {
            throw ProtocolError(.schema, "a log file holds at most 16 MiB, this batch is \(bytes.count) bytes")
        }
        return (LogObjectName(roomID: roomID, startTs: low, endTs: high, clientID: clientID), bytes)
    }
}
