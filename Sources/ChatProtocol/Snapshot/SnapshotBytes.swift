#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The bytes of a room snapshot: a file mapped into memory (reading a
/// large room's snapshot then copies nothing, and its lines stay in the page
/// cache rather than in the process), or an array (as just written, in tests).
///
/// Unchecked Sendable: the bytes are never written after `init`, and the
/// mapping lives as long as the object. Snapshots are replaced by renaming a
/// new file over the old one, so a mapped file is never changed under a reader.
public final class SnapshotBytes: @unchecked Sendable {
    private let base: UnsafeRawBufferPointer
    private let mapped: Bool

    /// A copy of `bytes`.
    public init(_ bytes: [UInt8]) {
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, bytes.count), alignment: 8)
        bytes.withUnsafeBytes { copy.copyMemory(from: $0) }
        base = UnsafeRawBufferPointer(rebasing: copy[0..<bytes.count])
        mapped = false
    }

    /// Maps a whole file read-only; nil if it cannot be opened, is empty, or cannot be mapped.
    public init?(mapping path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_size > 0 else { return nil }
        let size = Int(info.st_size)
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), address != MAP_FAILED else { return nil }
        base = UnsafeRawBufferPointer(start: address, count: size)
        mapped = true
    }

    deinit {
        guard let address = base.baseAddress else { return }
        if mapped {
            munmap(UnsafeMutableRawPointer(mutating: address), base.count)
        } else {
            UnsafeMutableRawPointer(mutating: address).deallocate()
        }
    }

    public var count: Int { base.count }

    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withExtendedLifetime(self) { try body(base) }
    }

    /// A copy of some of the bytes.
    func copy(_ range: Range<Int>) -> [UInt8] {
        withUnsafeBytes { Array($0[range]) }
    }
}

/// A run of a snapshot's bytes: one object's, or one event line's.
struct SnapshotSlice: Sendable {
    let bytes: SnapshotBytes
    let range: Range<Int>

    var count: Int { range.count }

    func withUnsafeBuffer<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try bytes.withUnsafeBytes { raw in
            let all = UnsafeBufferPointer(start: raw.baseAddress?.assumingMemoryBound(to: UInt8.self), count: raw.count)
            return try body(UnsafeBufferPointer(rebasing: all[range]))
        }
    }

    var array: [UInt8] { bytes.copy(range) }
}
