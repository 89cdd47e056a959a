#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Remembers which key verified which event signature, so a reader that opens
/// a room again does not check every signature again.
///
/// An entry records a fact, not a decision: "this signature over these
/// canonical bytes verifies under this key". Whether the key is trusted at
/// that point is still decided by authorisation every time. Entries are only
/// ever added after libsodium verified the signature. The memo file lives in
/// the user's private cache folder; whoever can write there can also rewrite
/// the journal, so it is trusted like the rest of local state.
///
/// File format: records of 48 bytes, the first 16 bytes of
/// SHA-256(event hash ‖ signature) then the 32-byte public key.
public final class SignatureMemo: Sendable {
    struct Entry: Hashable, Sendable {
        let high: UInt64
        let low: UInt64
    }

    /// The entries, and which of them are not yet in the file.
    private struct KnownSigners {
        var entries: [Entry: PublicKey] = [:]
        var unsaved: [(Entry, PublicKey)] = []
        /// Whether the file has been read into `entries`.
        var loaded = false
    }

    private let state: Mutex<KnownSigners>
    public let path: String?

    /// A memo kept only in memory.
    public init() {
        path = nil
        state = Mutex(KnownSigners())
    }

    /// A memo read from (and later saved to) a file; a missing or damaged file
    /// starts empty. The file is read when the memo is first consulted: a
    /// room restored from its snapshot may never need it.
    public init(path: String) {
        self.path = path
        state = Mutex(KnownSigners())
    }

    /// Runs `body` on the entries, reading the file first if that has not happened yet.
    private func withEntries<R>(_ body: (inout KnownSigners) -> R) -> R {
        state.withLock { state in
            if !state.loaded {
                state.loaded = true
                if let path { SignatureMemo.load(path: path, into: &state.entries) }
            }
            return body(&state)
        }
    }

    private static func load(path: String, into entries: inout [Entry: PublicKey]) {
        guard let bytes = try? FileBytes.read(path: path) else { return }
        entries.reserveCapacity(bytes.count / 48)
        // A room has few keys and many signatures: each key's bytes are kept once.
        var keys: [[UInt8]: PublicKey] = [:]
        var offset = 0
        while offset + 48 <= bytes.count {
            let entry = SignatureMemo.entry(Array(bytes[offset..<(offset + 16)]))
            let raw = Array(bytes[(offset + 16)..<(offset + 48)])
            if let key = keys[raw] ?? PublicKey(bytes: raw) {
                keys[raw] = key
                entries[entry] = key
            }
            offset += 48
        }
    }

    /// The key known to verify this signature over bytes with this hash, if any.
    func signer(hash: [UInt8], signature: [UInt8]) -> PublicKey? {
        let entry = SignatureMemo.entry(hash: hash, signature: signature)
        return withEntries { $0.entries[entry] }
    }

    /// The keys known for many signatures at once (one lock for all: a
    /// large room looks up a million of them from every core).
    func signers(_ entries: [Entry]) -> [PublicKey?] {
        withEntries { state in entries.map { state.entries[$0] } }
    }

    /// Notes a signature libsodium has just verified.
    func remember(hash: [UInt8], signature: [UInt8], key: PublicKey) {
        remember([(SignatureMemo.entry(hash: hash, signature: signature), key)])
    }

    /// Notes signatures libsodium has just verified, under one lock.
    func remember(_ verified: [(Entry, PublicKey)]) {
        guard !verified.isEmpty else { return }
        withEntries { state in
            for (entry, key) in verified where state.entries.updateValue(key, forKey: entry) == nil {
                state.unsaved.append((entry, key))
            }
        }
    }

    /// Notes events this device has just signed with `key`: the writer knows
    /// its own signatures verify, so its reader need not check them again when
    /// they come back from the store. (Which keys are trusted is still decided
    /// anew at every verification.)
    public func rememberSigned(_ events: [Event], key: PublicKey) {
        for event in events {
            guard let signature = Base64.decode(event.signature) else { continue }
            remember(hash: SHA256.digest(event.canonicalBytes), signature: signature, key: key)
        }
    }

    public var count: Int { withEntries { $0.entries.count } }

    /// Appends the entries added since the last save to the file. A failure
    /// only costs verification work later, so it is reported, not thrown.
    @discardableResult
    public func save() -> Bool {
        guard let path else { return true }
        let unsaved = state.withLock { state -> [(Entry, PublicKey)] in
            defer { state.unsaved = [] }
            return state.unsaved
        }
        guard !unsaved.isEmpty else { return true }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(unsaved.count * 48)
        for (entry, key) in unsaved {
            withUnsafeBytes(of: entry.high.bigEndian) { bytes += $0 }
            withUnsafeBytes(of: entry.low.bigEndian) { bytes += $0 }
            bytes += key.bytes
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == bytes.count
    }

    static func entry(hash: [UInt8], signature: [UInt8]) -> Entry {
        hash.withUnsafeBytes { hash in signature.withUnsafeBytes { entry(hash: hash, signature: $0) } }
    }

    /// The first 16 bytes of SHA-256(hash ‖ signature), hashed in place.
    static func entry(hash: UnsafeRawBufferPointer, signature: UnsafeRawBufferPointer) -> Entry {
        withUnsafeTemporaryAllocation(byteCount: hash.count + signature.count + 32, alignment: 8) { buffer in
            let joined = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<(hash.count + signature.count)])
            joined.copyMemory(from: hash)
            UnsafeMutableRawBufferPointer(rebasing: joined[hash.count...]).copyMemory(from: signature)
            let digest = UnsafeMutableRawBufferPointer(rebasing: buffer[(hash.count + signature.count)...])
            SHA256.digest(UnsafeRawBufferPointer(joined), into: digest)
            var high: UInt64 = 0
            var low: UInt64 = 0
            for i in 0..<8 { high = high << 8 | UInt64(digest[i]) }
            for i in 8..<16 { low = low << 8 | UInt64(digest[i]) }
            return Entry(high: high, low: low)
        }
    }

    static func entry(_ sixteen: [UInt8]) -> Entry {
        var high: UInt64 = 0
        var low: UInt64 = 0
        for i in 0..<8 { high = high << 8 | UInt64(sixteen[i]) }
        for i in 8..<16 { low = low << 8 | UInt64(sixteen[i]) }
        return Entry(high: high, low: low)
    }
}
