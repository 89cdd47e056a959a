/// Appends the fields of a room snapshot to a byte buffer: little-endian
/// integers, and strings and byte runs prefixed by their length.
struct SnapshotWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    mutating func u8(_ value: UInt8) { bytes.append(value) }

    mutating func u32(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func u64(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func int(_ value: Int) { u64(UInt64(bitPattern: Int64(value))) }

    mutating func i64(_ value: Int64) { u64(UInt64(bitPattern: value)) }

    mutating func string(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            u32(UInt32(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    mutating func optionalString(_ value: String?) {
        guard let value else { return u8(0) }
        u8(1)
        string(value)
    }

    /// Bytes without a length: one of several runs a single length covers.
    mutating func raw(_ value: ArraySlice<UInt8>) { bytes.append(contentsOf: value) }

    mutating func raw(_ value: SnapshotSlice) {
        value.withUnsafeBuffer { bytes.append(contentsOf: $0) }
    }

    /// Ends a snapshot whose lines lie between `head` and what this writer
    /// holds: where its lines are, and a CRC-32 of everything but them (the
    /// lines are checked one by one when they are decoded).
    mutating func seal(lines: Range<Int>, head: [UInt8]) {
        u64(UInt64(lines.lowerBound))
        u64(UInt64(lines.upperBound))
        let crc = CRC32.checksum(bytes, seed: CRC32.checksum(head))
        u32(crc)
    }

    mutating func run<C: Collection>(_ value: C) where C.Element == UInt8 {
        u64(UInt64(value.count))
        bytes.append(contentsOf: value)
    }
}
