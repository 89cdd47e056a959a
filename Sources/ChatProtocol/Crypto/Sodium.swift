import CSodium

/// libsodium's one-time initialisation.
///
/// `sodium_init` is safe to call from many threads and more than once; every
/// entry point of this module that uses libsodium goes through ``ready`` so
/// the call happens before first use.
enum Sodium {
    static let ready: Bool = sodium_init() >= 0
}

extension UnsafeRawBufferPointer {
    /// The bytes as a pointer C can take: libsodium's parameters are non-null
    /// even for empty input, so an empty buffer lends a pointer to a dummy byte.
    func withNonNullBytes<R>(_ body: (UnsafePointer<UInt8>, Int) -> R) -> R {
        if let base = baseAddress, count > 0 {
            return body(base.assumingMemoryBound(to: UInt8.self), count)
        }
        var dummy: UInt8 = 0
        return withUnsafePointer(to: &dummy) { body($0, 0) }
    }
}
