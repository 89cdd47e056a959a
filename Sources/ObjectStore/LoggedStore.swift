import Foundation
import Logging

/// A store that logs every request it passes on: the operation, the key or
/// prefix, the outcome, the bytes and the time it took — what `bucketchat -v`
/// prints, whatever the backend.
///
/// Requests log at `debug`; a failed one at `debug` too, with the error's
/// code (the caller decides whether it is worth a warning).
public struct LoggedStore: ObjectStore {
    public let inner: any ObjectStore
    let logger: Logger

    public init(_ inner: any ObjectStore, logger: Logger = Logger(label: "bucketchat.store")) {
        self.inner = inner
        self.logger = logger
    }

    public var locationDescription: String { inner.locationDescription }
    public var isLocal: Bool { inner.isLocal }

    /// The inner store's notifications, with each receive and acknowledgement logged.
    public var notifications: (any StoreNotifications)? {
        inner.notifications.map { LoggedNotifications(inner: $0, logger: logger) }
    }

    /// Runs one request and logs it with what `describe` makes of its result.
    private func logged<T>(_ operation: String, _ target: String, _ body: () async throws(StoreError) -> T,
                           describe: (T) -> String) async throws(StoreError) -> T {
        let started = ContinuousClock.now
        do {
            let value = try await body()
            logger.debug("\(operation) \(target) → \(describe(value)) in \(Self.milliseconds(since: started)) ms")
            return value
        } catch {
            logger.debug("\(operation) \(target) → \(error.code.rawValue) in \(Self.milliseconds(since: started)) ms: \(error.message)")
            throw error
        }
    }

    static func milliseconds(since start: ContinuousClock.Instant) -> String {
        let elapsed = ContinuousClock.now - start
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        return String(format: "%.1f", ms)
    }

    public func list(prefix: String, startAfter: String?) async throws(StoreError) -> [ObjectInfo] {
        try await logged("LIST", prefix + (startAfter.map { " after \($0)" } ?? ""), { () async throws(StoreError) in
            try await inner.list(prefix: prefix, startAfter: startAfter)
        }, describe: { "\($0.count) object(s)" })
    }

    public func listFolders(prefix: String) async throws(StoreError) -> [String] {
        try await logged("LIST", prefix + " (folders)", { () async throws(StoreError) in
            try await inner.listFolders(prefix: prefix)
        }, describe: { "\($0.count) folder(s)" })
    }

    public func get(_ key: ObjectKey) async throws(StoreError) -> Data {
        try await logged("GET", key.rawValue, { () async throws(StoreError) in try await inner.get(key) }, describe: { "\($0.count) bytes" })
    }

    public func bytes(_ key: ObjectKey) async throws(StoreError) -> [UInt8] {
        try await logged("GET", key.rawValue, { () async throws(StoreError) in try await inner.bytes(key) }, describe: { "\($0.count) bytes" })
    }

    public func head(_ key: ObjectKey) async throws(StoreError) -> ObjectInfo? {
        try await logged("HEAD", key.rawValue, { () async throws(StoreError) in try await inner.head(key) },
                         describe: { $0.map { "\($0.size) bytes" } ?? "none" })
    }

    public func putIfAbsent(_ key: ObjectKey, _ bytes: Data) async throws(StoreError) -> PutOutcome {
        try await logged("PUT", "\(key.rawValue) (\(bytes.count) bytes, if absent)", { () async throws(StoreError) in
            try await inner.putIfAbsent(key, bytes)
        }, describe: Self.outcome)
    }

    public func putFileIfAbsent(_ key: ObjectKey, path: String, progress: (@Sendable (Int64) -> Void)?) async throws(StoreError) -> PutOutcome {
        try await logged("PUT", "\(key.rawValue) (from \(path), if absent)", { () async throws(StoreError) in
            try await inner.putFileIfAbsent(key, path: path, progress: progress)
        }, describe: Self.outcome)
    }

    public func download(_ key: ObjectKey, into sink: any ObjectSink, maxBytes: Int64) async throws(StoreError) -> Int64 {
        try await logged("GET", key.rawValue, { () async throws(StoreError) in
            try await inner.download(key, into: sink, maxBytes: maxBytes)
        }, describe: { "\($0) bytes (streamed)" })
    }

    static func outcome(_ outcome: PutOutcome) -> String {
        switch outcome {
        case .created: "created"
        case .alreadyExists(let same): same ? "already there (same bytes)" : "already there (other bytes)"
        }
    }
}

/// A store's notifications whose feed requests are logged like a ``LoggedStore``'s.
struct LoggedNotifications: StoreNotifications {
    let inner: any StoreNotifications
    let logger: Logger

    var description: String { inner.description }

    func openFeed(_ request: ChangeFeedRequest) async throws(StoreError) -> any ChangeFeed {
        let started = ContinuousClock.now
        do {
            let feed = try await inner.openFeed(request)
            logger.debug("FEED open \(feed.description) in \(LoggedStore.milliseconds(since: started)) ms")
            return LoggedFeed(inner: feed, logger: logger)
        } catch {
            logger.debug("FEED open \(inner.description) → \(error.code.rawValue) in \(LoggedStore.milliseconds(since: started)) ms: \(error.message)")
            throw error
        }
    }
}

struct LoggedFeed: ChangeFeed {
    let inner: any ChangeFeed
    let logger: Logger

    var description: String { inner.description }

    func receive() async throws(StoreError) -> ChangeBatch {
        let started = ContinuousClock.now
        do {
            let batch = try await inner.receive()
            logger.debug("RECEIVE \(inner.description) → \(batch.messageCount) message(s), \(batch.created.count) key(s), \(batch.unusable) unusable in \(LoggedStore.milliseconds(since: started)) ms")
            return batch
        } catch {
            logger.debug("RECEIVE \(inner.description) → \(error.code.rawValue) in \(LoggedStore.milliseconds(since: started)) ms: \(error.message)")
            throw error
        }
    }

    func acknowledge(_ batch: ChangeBatch) async throws(StoreError) {
        let started = ContinuousClock.now
        do {
            try await inner.acknowledge(batch)
            logger.debug("DELETE \(batch.messageCount) message(s) from \(inner.description) in \(LoggedStore.milliseconds(since: started)) ms")
        } catch {
            logger.debug("DELETE \(batch.messageCount) message(s) from \(inner.description) → \(error.code.rawValue): \(error.message)")
            throw error
        }
    }
}
