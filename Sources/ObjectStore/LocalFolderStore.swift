import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The default store: objects are files under a root folder.
///
/// `putIfAbsent` is atomic and durable: the bytes go to a temporary file in
/// the destination folder, which is fsynced and then `link()`ed to the final
/// name — `link` fails if the name exists, so of any number of processes
/// creating one key exactly one wins — and the folder is fsynced so the new
/// name survives a crash.
public struct LocalFolderStore: ObjectStore {
    /// Temporary files start with this; keys whose last segment does too are
    /// refused so a listing never confuses the two.
    static let temporaryPrefix = ".bucketchat-tmp-"
    /// Most filesystems cap one name at 255 bytes.
    static let maximumSegmentLength = 255

    public let root: String

    /// Blocking file calls run here, never on Swift's cooperative pool.
    private let queue = DispatchQueue(label: "bucketchat.local-folder-store", attributes: .concurrent)

    public init(root: String) {
        self.root = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
    }

    public var locationDescription: String { root }

    /// Objects are files on this machine already: a reader's cache would be a second copy.
    public var isLocal: Bool { true }

    public func list(prefix: String, startAfter: String?) async throws(StoreError) -> [ObjectInfo] {
        try ObjectKey.validatePrefix(prefix)
        return try await run { () throws(StoreError) -> [ObjectInfo] in try self.listNow(prefix: prefix, startAfter: startAfter) }
    }

    public func listFolders(prefix: String) async throws(StoreError) -> [String] {
        try ObjectKey.validatePrefix(prefix)
        return try await run { () throws(StoreError) -> [String] in try self.listFoldersNow(prefix: prefix) }
    }

    public func get(_ key: ObjectKey) async throws(StoreError) -> Data {
        try await run { () throws(StoreError) -> Data in try self.getNow(key) }
    }

    public func bytes(_ key: ObjectKey) async throws(StoreError) -> [UInt8] {
        try await run { () throws(StoreError) -> [UInt8] in try self.bytesNow(key) }
    }

    public func head(_ key: ObjectKey) async throws(StoreError) -> ObjectInfo? {
        try await run { () throws(StoreError) -> ObjectInfo? in try self.headNow(key) }
    }

    public func putIfAbsent(_ key: ObjectKey, _ bytes: Data) async throws(StoreError) -> PutOutcome {
        try checkLocalRules(key)
        return try await run { () throws(StoreError) -> PutOutcome in try self.putIfAbsentNow(key, bytes) }
    }

    /// Runs a blocking closure on the store's queue and awaits its result.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws(StoreError) -> T) async throws(StoreError) -> T {
        let result: Result<T, StoreError> = await withCheckedContinuation { continuation in
            queue.async {
                do throws(StoreError) { continuation.resume(returning: .success(try body())) }
                catch { continuation.resume(returning: .failure(error)) }
            }
        }
        return try result.get()
    }

    func checkLocalRules(_ key: ObjectKey) throws(StoreError) {
        for segment in key.segments where segment.utf8.count > Self.maximumSegmentLength {
            throw StoreError(.invalidKey, "The key \"\(key)\" has a segment longer than \(Self.maximumSegmentLength) bytes, which a local folder cannot store. Use shorter names.")
        }
        if let last = key.segments.last, last.hasPrefix(Self.temporaryPrefix) {
            throw StoreError(.invalidKey, "The key \"\(key)\" ends in a name starting with \(Self.temporaryPrefix), which the local store reserves for its temporary files. Choose another name.")
        }
    }

    func path(of key: ObjectKey) -> String { root + "/" + key.rawValue }
}
