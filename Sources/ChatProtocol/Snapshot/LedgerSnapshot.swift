/// A room's ledger written down (``RoomLedger/snapshot(version:)``), as the
/// pieces of one file: the records before the lines, the objects' bytes
/// themselves — referred to where the ledger holds them, not copied — and
/// the records after them with the trailer.
///
/// A million-event room's objects are most of its snapshot's 650 MB; writing
/// them from where they lie saves copying them into one buffer first, and
/// the memory that buffer would take.
public struct LedgerSnapshot: Sendable {
    enum Piece: Sendable {
        case held(ArraySlice<UInt8>)
        case restored(SnapshotSlice)

        var count: Int {
            switch self {
            case .held(let bytes): return bytes.count
            case .restored(let slice): return slice.count
            }
        }
    }

    let head: [UInt8]
    let lines: [Piece]
    let tail: [UInt8]

    /// The file's size.
    public var count: Int {
        head.count + tail.count + lines.reduce(0) { $0 + $1.count }
    }

    /// Hands every run of the file's bytes to `write`, in order; stops at the first false.
    @discardableResult
    public func write(_ write: (UnsafeRawBufferPointer) -> Bool) -> Bool {
        guard head.withUnsafeBytes(write) else { return false }
        for piece in lines {
            let ok: Bool
            switch piece {
            case .held(let bytes): ok = bytes.withUnsafeBytes(write)
            case .restored(let slice): ok = slice.withUnsafeBuffer { write(UnsafeRawBufferPointer($0)) }
            }
            guard ok else { return false }
        }
        return tail.withUnsafeBytes(write)
    }

    /// The whole file as one array (tests; small rooms).
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        write { out.append(contentsOf: $0); return true }
        return out
    }
}
