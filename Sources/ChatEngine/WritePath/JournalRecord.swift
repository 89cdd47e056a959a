import ChatProtocol
/// One record of a journal file.
///
/// On disk every record is one line: a kind letter, a space, the payload, a
/// space, the CRC-32 of everything before that last space as 8 lowercase hex
/// digits, and `\n`. Event lines are canonical JSON, which escapes every
/// control character, so a payload never holds a newline.
enum JournalRecord: Sendable, Equatable {
    /// `E <event line>`: a signed event, the next ordinal of this journal.
    case event(line: [UInt8])
    /// `B <first> <count> <key>`: the uploader formed a log object from events
    /// `first ..< first + count` and will upload it under `key`.
    case batch(first: Int, count: Int, key: String)
    /// `U <first>`: the batch starting at `first` is in the store.
    case uploaded(first: Int)
    /// `C <next> <event line>`: written by compaction as the first record:
    /// every event before ordinal `next` is uploaded, and `line` is the last of
    /// them (the chain continues from it).
    case checkpoint(next: Int, line: [UInt8])

    /// The record as one line, checksum and newline included.
    var encoded: [UInt8] {
        var out: [UInt8] = []
        encode(into: &out)
        return out
    }

    /// Appends the record as one line, checksum and newline included. The
    /// journal writes a group of records into one buffer this way.
    func encode(into out: inout [UInt8]) {
        let start = out.count
        switch self {
        case .event(let line):
            out.append(0x45)
            out.append(0x20)
            out.append(contentsOf: line)
        case .batch(let first, let count, let key):
            out.append(contentsOf: "B \(first) \(count) \(key)".utf8)
        case .uploaded(let first):
            out.append(contentsOf: "U \(first)".utf8)
        case .checkpoint(let next, let line):
            out.append(contentsOf: "C \(next) ".utf8)
            out.append(contentsOf: line)
        }
        let crc = CRC32.checksum(out[start...])
        out.append(0x20)
        for shift in stride(from: 28, through: 0, by: -4) {
            out.append(JournalRecord.hexDigits[Int((crc >> UInt32(shift)) & 0xF)])
        }
        out.append(0x0A)
    }

    /// Decodes one line (without its `\n`); nil when the checksum or shape is wrong.
    init?(line: ArraySlice<UInt8>) {
        guard line.count >= 11 else { return nil }
        let space = line.endIndex - 9
        guard line[space] == 0x20, let crc = JournalRecord.parseHex(line[(space + 1)...]) else { return nil }
        let body = line[line.startIndex..<space]
        guard CRC32.checksum(body) == crc, body.count >= 2, body[body.startIndex + 1] == 0x20 else { return nil }
        let payload = body[(body.startIndex + 2)...]
        switch body[body.startIndex] {
        case 0x45: // E
            self = .event(line: Array(payload))
        case 0x42: // B
            let fields = payload.split(separator: 0x20, maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3, let first = JournalRecord.decimal(fields[0]), let count = JournalRecord.decimal(fields[1]) else { return nil }
            self = .batch(first: first, count: count, key: String(decoding: fields[2], as: UTF8.self))
        case 0x55: // U
            guard let first = JournalRecord.decimal(payload) else { return nil }
            self = .uploaded(first: first)
        case 0x43: // C
            guard let cut = payload.firstIndex(of: 0x20), let next = JournalRecord.decimal(payload[..<cut]) else { return nil }
            self = .checkpoint(next: next, line: Array(payload[(cut + 1)...]))
        default:
            return nil
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    private static func parseHex(_ bytes: ArraySlice<UInt8>) -> UInt32? {
        guard bytes.count == 8 else { return nil }
        var value: UInt32 = 0
        for b in bytes {
            switch b {
            case 0x30...0x39: value = value << 4 | UInt32(b - 0x30)
            case 0x61...0x66: value = value << 4 | UInt32(b - 0x61 + 10)
            default: return nil
            }
        }
        return value
    }

    private static func decimal(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
        var value = 0
        for b in bytes {
            guard b >= 0x30 && b <= 0x39 else { return nil }
            value = value * 10 + Int(b - 0x30)
        }
        return value
    }
}
