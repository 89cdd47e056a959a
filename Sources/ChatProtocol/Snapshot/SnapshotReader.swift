/// Reads what a ``SnapshotWriter`` wrote; every read checks the bounds, so a
/// damaged snapshot is refused rather than trusted.
struct SnapshotReader {
    /// A snapshot that ends early or holds a value that cannot be.
    struct Damaged: Error {}

    let bytes: SnapshotBytes
    /// Where reading stops (the checksum trailer is not read as data).
    let end: Int
    private(set) var offset = 0

    init(_ bytes: SnapshotBytes, end: Int? = nil) {
        self.bytes = bytes
        self.end = min(end ?? bytes.count, bytes.count)
    }

    var isAtEnd: Bool { offset == end }

    private mutating func take(_ count: Int) throws(Damaged) -> Int {
        guard count >= 0, end - offset >= count else { throw Damaged() }
        defer { offset += count }
        return offset
    }

    mutating func u8() throws(Damaged) -> UInt8 {
        let at = try take(1)
        return bytes.withUnsafeBytes { $0[at] }
    }

    mutating func u32() throws(Damaged) -> UInt32 {
        let at = try take(4)
        return UInt32(littleEndian: bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: at, as: UInt32.self) })
    }

    mutating func u64() throws(Damaged) -> UInt64 {
        let at = try take(8)
        return UInt64(littleEndian: bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: at, as: UInt64.self) })
    }

    mutating func i64() throws(Damaged) -> Int64 { Int64(bitPattern: try u64()) }

    /// A count or index, refused when larger than `limit`.
    mutating func int(below limit: Int = Int(Int32.max)) throws(Damaged) -> Int {
        let value = Int64(bitPattern: try u64())
        guard value >= 0, value < limit else { throw Damaged() }
        return Int(value)
    }

    mutating func index(below limit: Int) throws(Damaged) -> Int {
        let value = Int(try u32())
        guard value < limit else { throw Damaged() }
        return value
    }

    mutating func string() throws(Damaged) -> String {
        let count = Int(try u32())
        let at = try take(count)
        return bytes.withUnsafeBytes { String(decoding: UnsafeRawBufferPointer(rebasing: $0[at..<(at + count)]), as: UTF8.self) }
    }

    mutating func optionalString() throws(Damaged) -> String? {
        switch try u8() {
        case 0: return nil
        case 1: return try string()
        default: throw Damaged()
        }
    }

    mutating func skip(_ count: Int) throws(Damaged) {
        _ = try take(count)
    }

    /// Moves to a place an earlier read stood at.
    mutating func seek(_ place: Int) {
        offset = min(max(0, place), end)
    }

    /// A run of bytes written with its length, left where it is.
    mutating func run() throws(Damaged) -> SnapshotSlice {
        let count = try int(below: Int.max)
        let at = try take(count)
        return SnapshotSlice(bytes: bytes, range: at..<(at + count))
    }
}
