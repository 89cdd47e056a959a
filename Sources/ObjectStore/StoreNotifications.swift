import Foundation

/// A store's own event notifications of created objects (S3 bucket
/// notifications through SNS to a queue per reader, GCS Pub/Sub), as the
/// engine sees them: no cloud named.
///
/// Clouds deliver these at least once, usually within a second or so,
/// sometimes later, sometimes twice, never in a promised order: a notice is a
/// wake-up hint, never the record. Readers still list now and then, and
/// whatever a notice names is fetched and verified like anything a listing
/// found.
public protocol StoreNotifications: Sendable {
    /// What the notifications come through, for messages (`SNS topic … → SQS`).
    var description: String { get }

    /// Opens (creating and subscribing on first use, where the cloud needs
    /// that) this reader's feed. Throws `.notFound` when the store has no
    /// notifications set up (say how to set them up), `.accessDenied` when the
    /// credentials may not use them (say which permissions are missing).
    func openFeed(_ request: ChangeFeedRequest) async throws(StoreError) -> any ChangeFeed
}

/// Who a feed is for.
public struct ChangeFeedRequest: Sendable, Equatable {
    /// A stable name of this reader (identity and device) in this store: a
    /// store derives its queue or subscription name from it, so each device
    /// has its own and a restart finds it again.
    public var subscriber: String
    /// A queue or subscription named in the settings: used as it is, nothing
    /// is created or subscribed.
    public var named: String?

    public init(subscriber: String, named: String? = nil) {
        self.subscriber = subscriber
        self.named = named
    }
}

/// One reader's stream of notices.
public protocol ChangeFeed: Sendable {
    /// The queue or subscription, for messages.
    var description: String { get }

    /// Waits for notices (a long poll: returns at the first ones, or empty
    /// after the cloud's wait, about 20 s) and returns them.
    func receive() async throws(StoreError) -> ChangeBatch

    /// Tells the cloud the batch is handled, so it is not delivered again.
    func acknowledge(_ batch: ChangeBatch) async throws(StoreError)
}

/// What one receive brought.
public struct ChangeBatch: Sendable {
    /// Objects created, keys relative to the store's prefix (decoded), with
    /// the size and etag the notice gave (as a listing would report them).
    public var created: [ObjectInfo]
    /// Messages that could not be used: not a notification of this store,
    /// unreadable, or naming a key outside the store's prefix. The reader
    /// should list soon: whatever such a message meant is found that way.
    public var unusable: Int
    /// Messages that were fine but name nothing to fetch (a cloud's test
    /// event, another kind of event).
    public var ignored: Int
    /// The cloud's handles for acknowledging these messages (opaque).
    public var receipts: [String]
    /// The receive brought as many messages as one may: the queue likely
    /// holds more.
    public var filled: Bool
    /// When the queue took in the oldest message of the batch, by the
    /// cloud's clock (milliseconds since the epoch; SQS `SentTimestamp`,
    /// Pub/Sub `publishTime`), if it said: how long messages wait before this
    /// reader receives them tells whether it keeps up.
    public var oldestQueuedMs: Int64?

    public init(created: [ObjectInfo] = [], unusable: Int = 0, ignored: Int = 0, receipts: [String] = [], filled: Bool = false,
                oldestQueuedMs: Int64? = nil) {
        self.created = created
        self.unusable = unusable
        self.ignored = ignored
        self.receipts = receipts
        self.filled = filled
        self.oldestQueuedMs = oldestQueuedMs
    }

    /// Notes when the queue took in one of the batch's messages (the cloud's
    /// clock, milliseconds since the epoch): the oldest counts.
    public mutating func noteQueued(atMs ms: Int64) {
        oldestQueuedMs = min(oldestQueuedMs ?? ms, ms)
    }

    /// How many messages the batch holds.
    public var messageCount: Int { receipts.count }
}
