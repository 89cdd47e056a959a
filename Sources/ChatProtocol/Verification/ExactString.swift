#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A string that hashes and compares by its UTF-8 bytes.
///
/// Swift's `String ==` treats canonically equivalent strings as equal; ids and
/// hashes in the protocol are equal only when their bytes are.
struct ExactString: Hashable, Sendable {
    let value: String

    init(_ value: String) {
        self.value = value
    }

    static func == (lhs: ExactString, rhs: ExactString) -> Bool {
        lhs.value.hasSameBytes(as: rhs.value)
    }

    func hash(into hasher: inout Hasher) {
        // Native strings lend their bytes without a copy (`withUTF8` needs a
        // mutable copy, which costs a retain per lookup in million-entry tables).
        let done: Void? = value.utf8.withContiguousStorageIfAvailable { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        if done == nil {
            var copy = value
            copy.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        }
    }
}

extension String {
    /// Whether this string sorts before `other` by UTF-8 bytes (which is code
    /// point order), without the generic comparison's per-byte cost.
    func precedesInBytes(_ other: String) -> Bool {
        let borrowed: Bool?? = utf8.withContiguousStorageIfAvailable { pa in
            other.utf8.withContiguousStorageIfAvailable { pb in
                let common = Swift.min(pa.count, pb.count)
                if common > 0, let x = pa.baseAddress, let y = pb.baseAddress {
                    let order = memcmp(x, y, common)
                    if order != 0 { return order < 0 }
                }
                return pa.count < pb.count
            }
        }
        if let precedes = borrowed ?? nil { return precedes }
        return utf8.lexicographicallyPrecedes(other.utf8)
    }

    /// Whether two strings have the same UTF-8 bytes (not merely canonical equivalence).
    func hasSameBytes(as other: String) -> Bool {
        guard utf8.count == other.utf8.count else { return false }
        let borrowed: Bool?? = utf8.withContiguousStorageIfAvailable { pa in
            other.utf8.withContiguousStorageIfAvailable { pb in
                guard let x = pa.baseAddress, let y = pb.baseAddress else { return pa.count == pb.count }
                return memcmp(x, y, pa.count) == 0
            }
        }
        if let same = borrowed ?? nil { return same }
        var a = self
        var b = other
        return a.withUTF8 { pa in
            b.withUTF8 { pb in
                guard let x = pa.baseAddress, let y = pb.baseAddress else { return pa.count == pb.count }
                return pa.count == pb.count && memcmp(x, y, pa.count) == 0
            }
        }
    }
}
