import Foundation

/// Which keys a listing wants, as bytes: those that start with a prefix and
/// sort after a bound (byte order). Lets a store that walks folders decide
/// per entry, without making a string, and skip whole folders whose keys all
/// sort at or before the bound.
struct ListingBounds: Sendable {
    let prefix: [UInt8]
    let startAfter: [UInt8]?

    /// Whether a listing wants `key`.
    func admits(_ key: [UInt8]) -> Bool {
        guard key.starts(with: prefix) else { return false }
        guard let startAfter else { return true }
        return ListingBounds.precedes(startAfter, key)
    }

    /// Whether a folder whose keys all start with `folder` (ending in `/`) may
    /// hold a key the listing wants.
    func mayHoldKeys(below folder: [UInt8]) -> Bool {
        guard folder.starts(with: prefix) || prefix.starts(with: folder) else { return false }
        guard let startAfter else { return true }
        // Every key below sorts after the bound when the folder itself does;
        // when the bound lies inside the folder, some may.
        return startAfter.starts(with: folder) || ListingBounds.precedes(startAfter, folder)
    }

    /// Byte order, a shorter key first when it is a prefix of the other (S3's order).
    static func precedes(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        let common = min(a.count, b.count)
        let order = a.withUnsafeBufferPointer { x in
            b.withUnsafeBufferPointer { y -> Int32 in
                guard common > 0, let left = x.baseAddress, let right = y.baseAddress else { return 0 }
                return memcmp(left, right, common)
            }
        }
        return order != 0 ? order < 0 : a.count < b.count
    }
}
