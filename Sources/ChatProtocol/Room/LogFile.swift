/// Encodes a batch of events as one log object (PROTOCOL.md §1): one
/// canonical JSON line per event, each ending in a newline, named after the
/// smallest and largest timestamp and the writing device.
public enum LogFile {
    /// The object name and bytes for a non-empty batch.
    public static func encode(_ events: [Event], roomID: String, clientID: String) throws(ProtocolError) -> (name: LogObjectName, bytes: [UInt8]) {
        try encode(lines: events.map(\.lineBytes), timestamps: events.map(\.timestampMs), roomID: roomID, clientID: clientID)
    }

    /// The same from lines a writer already holds (each event's canonical line,
    /// without its newline) and their timestamps, so nothing is encoded twice.
    public static func encode(lines: [[UInt8]], timestamps: [Int64], roomID: String,
                              clientID: String) throws(ProtocolError) -> (name: LogObjectName, bytes: [UInt8]) {
        guard let low = timestamps.min(), let high = timestamps.max(), lines.count == timestamps.count else {
            throw ProtocolError(.schema, "a log file holds at least one event, with one timestamp per line")
        }
        guard lines.count <= LogFileParser.maxEventsPerFile else {
            throw ProtocolError(.schema, "a log file holds at most 10,000 events, not \(lines.count)")
        }
        guard RoomID.isValid(clientID) else {
            throw ProtocolError(.schema, "client id \"\(clientID)\" must match [A-Za-z0-9_-]{1,64}")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(lines.reduce(0) { $0 + $1.count + 1 })
        for line in lines {
            guard line.count + 1 <= LogFileParser.maxLineBytes else {
                throw ProtocolError(.schema, "an event is \(line.count) bytes, over the 64 KiB line limit")
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
