/// Text that only grows, line by line: the rendered lines of `timeline`,
/// `alerts` and thread timelines, kept as bytes with each line's end offset,
/// so a read at any offset (`tail` reads near the end) is a copy, never a
/// re-render, and the size `stat` reports is exact.
struct AppendOnlyText {
    private(set) var bytes: [UInt8] = []
    /// End offset (exclusive) of each line, ascending.
    private(set) var lineEnds: [Int] = []

    var size: Int { bytes.count }
    var lineCount: Int { lineEnds.count }

    /// Appends one line; `line` must end in a newline.
    mutating func append(_ line: String) {
        bytes.append(contentsOf: line.utf8)
        lineEnds.append(bytes.count)
    }

    /// The bytes of line `index`, newline included.
    func line(_ index: Int) -> ArraySlice<UInt8> {
        let start = index == 0 ? 0 : lineEnds[index - 1]
        return bytes[start..<lineEnds[index]]
    }

    /// Copies bytes from `offset` into `buffer`; returns how many (0 at the end).
    func read(at offset: Int, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        guard offset >= 0, offset < bytes.count, buffer.count > 0 else { return 0 }
        let count = min(buffer.count, bytes.count - offset)
        bytes.withUnsafeBytes { source in
            guard let from = source.baseAddress, let to = buffer.baseAddress else { return }
            to.copyMemory(from: from + offset, byteCount: count)
        }
        return count
    }
}
