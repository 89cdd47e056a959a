import CloudHTTP
import Foundation
import ObjectStore

/// S3 bucket notifications for a chat prefix, fanned out the standard way:
/// the bucket sends `s3:ObjectCreated:*` events for keys under
/// `PREFIX/rooms/` to one SNS topic, and each reader device has its own SQS
/// queue subscribed to it (raw message delivery), which it long-polls.
///
/// ``enable()`` sets up the topic, its policy and the bucket's configuration
/// (idempotent; `bucketchat store enable-notifications`); ``openFeed(_:)``
/// finds the topic in the bucket's configuration, creates and subscribes the
/// reader's queue on first use (or uses one named in the settings).
public struct S3Notifications: StoreNotifications {
    public let store: S3Store
    public let sns: AWSServiceClient
    public let sqs: AWSServiceClient
    /// `WaitTimeSeconds` of each receive (SQS's most, 20, by default).
    public var waitSeconds: Int
    /// How long an unhandled message stays in a reader's queue: hints older
    /// than this are worthless (a reader that was away lists on its return).
    public var messageRetentionSeconds = 900

    public init(store: S3Store, waitSeconds: Int = 20) {
        self.store = store
        let c = store.configuration
        self.sns = AWSServiceClient(service: "sns", endpoint: c.snsEndpoint, credentials: c.credentials, region: c.region, client: c.client)
        self.sqs = AWSServiceClient(service: "sqs", endpoint: c.sqsEndpoint, credentials: c.credentials, region: c.region, client: c.client)
        self.waitSeconds = max(0, min(waitSeconds, 20))
    }

    static let snsVersion = "2010-03-31"

    public var description: String { "S3 event notifications of \(store.locationDescription) (SNS topic \(topicName))" }

    /// Keys under this go to the topic: the store's rooms.
    public var keyPrefix: String { store.configuration.prefix + "rooms/" }

    /// A short, stable hash of the bucket and prefix: names stay apart per chat prefix.
    var locationHash: String {
        String(Digest.sha256("\(store.configuration.bucket)/\(store.configuration.prefix)").hexString.prefix(12))
    }

    /// The topic's name: `bucketchat-BUCKET-HASH` (SNS allows letters, digits, `-` and `_`).
    public var topicName: String { "bucketchat-" + Self.safe(store.configuration.bucket, max: 60) + "-" + locationHash }

    /// The `Id` of bucketchat's configuration in the bucket's notification configuration.
    public var configurationID: String { "bucketchat-" + locationHash }

    /// A reader's queue name: `bucketchat-DEVICE-HASH`, at most 80 characters
    /// (SQS's limit), different per store location and per device.
    public func queueName(subscriber: String) -> String {
        let tail = subscriber.split(separator: "/").last.map(String.init) ?? subscriber
        let hash = Digest.sha256("\(store.configuration.bucket)/\(store.configuration.prefix)\n\(subscriber)").hexString.prefix(16)
        return "bucketchat-" + Self.safe(tail, max: 40) + "-" + hash
    }

    static func safe(_ text: String, max: Int) -> String {
        String(text.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? $0 : "-" }.prefix(max))
    }

    /// What each party's policy must allow, for messages and `enable-notifications`.
    public static let setUpPermissions = ["sns:CreateTopic", "sns:SetTopicAttributes", "s3:GetBucketNotification", "s3:PutBucketNotification"]
    public static let readerPermissions = ["s3:GetBucketNotification", "sns:Subscribe", "sqs:GetQueueUrl", "sqs:CreateQueue",
                                           "sqs:ReceiveMessage", "sqs:DeleteMessage"]
    public static let namedQueuePermissions = ["sqs:GetQueueUrl", "sqs:ReceiveMessage", "sqs:DeleteMessage"]

    /// What ``enable()`` did.
    public struct Enabled: Sendable {
        public let topicARN: String
        public let configurationID: String
        public let keyPrefix: String
        /// False when the bucket already had this configuration.
        public let changedBucket: Bool
    }

    /// Creates the topic (or finds it: CreateTopic is idempotent), gives S3
    /// the right to publish to it from this bucket, and adds the bucket
    /// notification configuration, keeping the bucket's other ones.
    public func enable() async throws(StoreError) -> Enabled {
        let bucket = store.configuration.bucket
        let createWhat = "creating SNS topic \(topicName)"
        let created = try await sns.query("CreateTopic", version: Self.snsVersion, [(name: "Name", value: topicName)], what: createWhat)
        guard created.status == 200, let topicARN = AWSServiceClient.element("TopicArn", in: created.body) else {
            throw sns.failure(created, what: createWhat, permission: "sns:CreateTopic")
        }
        let policyWhat = "setting the policy of SNS topic \(topicName)"
        let policy = Self.topicPolicy(topicARN: topicARN, bucket: bucket)
        let set = try await sns.query("SetTopicAttributes", version: Self.snsVersion,
                                      [(name: "TopicArn", value: topicARN), (name: "AttributeName", value: "Policy"), (name: "AttributeValue", value: policy)],
                                      what: policyWhat)
        guard set.status == 200 else { throw sns.failure(set, what: policyWhat, permission: "sns:SetTopicAttributes") }

        let current = try await bucketConfiguration()
        if current.hasTopicBlock(id: configurationID, topicARN: topicARN, keyPrefix: keyPrefix) {
            return Enabled(topicARN: topicARN, configurationID: configurationID, keyPrefix: keyPrefix, changedBucket: false)
        }
        let document = current.setting(id: configurationID, topicARN: topicARN, keyPrefix: keyPrefix).xml
        let putWhat = "setting the notification configuration of bucket \"\(bucket)\""
        let put = try await store.send(method: "PUT", key: nil, query: [(name: "notification", value: "")],
                                       headers: [(name: "Content-MD5", value: Digest.md5(document).base64EncodedString()),
                                                 (name: "Content-Type", value: "application/xml")],
                                       body: document, what: putWhat)
        guard put.status == 200 else {
            if put.status == 403 {
                throw StoreError(.accessDenied, "Access denied while \(putWhat): the policy must allow s3:PutBucketNotification on the bucket.", cause: HTTPStatus(put))
            }
            throw store.failure(put, what: putWhat, key: nil)
        }
        return Enabled(topicARN: topicARN, configurationID: configurationID, keyPrefix: keyPrefix, changedBucket: true)
    }

    /// The bucket's notification configuration as it is.
    func bucketConfiguration() async throws(StoreError) -> BucketNotificationDocument {
        let what = "reading the notification configuration of bucket \"\(store.configuration.bucket)\""
        let response = try await store.send(method: "GET", key: nil, query: [(name: "notification", value: "")], what: what)
        guard response.status == 200 else {
            if response.status == 403 {
                throw StoreError(.accessDenied, "Access denied while \(what): the policy must allow s3:GetBucketNotification on the bucket.", cause: HTTPStatus(response))
            }
            throw store.failure(response, what: what, key: nil)
        }
        return BucketNotificationDocument(xml: response.body)
    }

    /// The topic policy: S3 may publish, from this bucket only, in the topic's account.
    static func topicPolicy(topicARN: String, bucket: String) -> String {
        let parts = topicARN.split(separator: ":", omittingEmptySubsequences: false)
        let partition = parts.count > 1 ? String(parts[1]) : "aws"
        var condition: [String: Any] = ["ArnLike": ["aws:SourceArn": "arn:\(partition):s3:::\(bucket)"]]
        if parts.count > 4, !parts[4].isEmpty { condition["StringEquals"] = ["aws:SourceAccount": String(parts[4])] }
        let policy: [String: Any] = [
            "Version": "2012-10-17",
            "Statement": [[
                "Sid": "bucketchat-s3-publish",
                "Effect": "Allow",
                "Principal": ["Service": "s3.amazonaws.com"],
                "Action": "sns:Publish",
                "Resource": topicARN,
                "Condition": condition,
            ] as [String: Any]],
        ]
        return String(decoding: (try? JSONSerialization.data(withJSONObject: policy, options: [.sortedKeys])) ?? Data(), as: UTF8.self)
    }

    /// A reader queue's policy: the topic may send to it.
    static func queuePolicy(queueARN: String, topicARN: String) -> String {
        let policy: [String: Any] = [
            "Version": "2012-10-17",
            "Statement": [[
                "Sid": "bucketchat-sns-send",
                "Effect": "Allow",
                "Principal": ["Service": "sns.amazonaws.com"],
                "Action": "sqs:SendMessage",
                "Resource": queueARN,
                "Condition": ["ArnEquals": ["aws:SourceArn": topicARN]],
            ] as [String: Any]],
        ]
        return String(decoding: (try? JSONSerialization.data(withJSONObject: policy, options: [.sortedKeys])) ?? Data(), as: UTF8.self)
    }

    public func openFeed(_ request: ChangeFeedRequest) async throws(StoreError) -> any ChangeFeed {
        let location = store.locationDescription
        if let named = request.named {
            let url = named.hasPrefix("http://") || named.hasPrefix("https://") ? named : try await queueURL(name: named, permission: Self.namedQueuePermissions)
            guard let url else {
                throw StoreError(.notFound, "The SQS queue \"\(named)\" named in the settings (sync.notification_queue) does not exist. Create it and subscribe it to the bucket's topic, or remove the setting so bucketchat makes its own.")
            }
            return SQSFeed(notifications: self, queueURL: url)
        }
        let configuration = try await bucketConfiguration()
        guard let topicARN = configuration.topicARN(id: configurationID) else {
            throw StoreError(.notFound, "Notifications are not enabled for \(location): the bucket has no notification configuration \"\(configurationID)\". Run `bucketchat store enable-notifications \(location)` (docs/deployment.md).")
        }
        let name = queueName(subscriber: request.subscriber)
        let url: String
        if let existing = try await queueURL(name: name, permission: Self.readerPermissions) {
            url = existing
        } else {
            url = try await createQueue(name: name, topicARN: topicARN)
        }
        try await subscribe(queueURL: url, topicARN: topicARN)
        return SQSFeed(notifications: self, queueURL: url)
    }

    /// A queue's URL, or nil when there is no such queue.
    func queueURL(name: String, permission: [String]) async throws(StoreError) -> String? {
        let what = "looking up SQS queue \(name)"
        let response = try await sqs.json("AmazonSQS.GetQueueUrl", ["QueueName": name], what: what)
        if response.status == 200 { return Self.jsonString("QueueUrl", in: response.body) }
        let error = sqs.failure(response, what: what, permission: permission.joined(separator: ", "))
        if error.code == .notFound || AWSServiceClient.errorCode(response).code.contains("NonExistentQueue") { return nil }
        throw error
    }

    func createQueue(name: String, topicARN: String) async throws(StoreError) -> String {
        let what = "creating SQS queue \(name)"
        let queueARN = Self.queueARN(topicARN: topicARN, name: name)
        let attributes: [String: String] = [
            "Policy": Self.queuePolicy(queueARN: queueARN, topicARN: topicARN),
            "MessageRetentionPeriod": String(messageRetentionSeconds),
        ]
        let response = try await sqs.json("AmazonSQS.CreateQueue", ["QueueName": name, "Attributes": attributes], what: what)
        guard response.status == 200, let url = Self.jsonString("QueueUrl", in: response.body) else {
            throw sqs.failure(response, what: what, permission: "sqs:CreateQueue")
        }
        return url
    }

    /// Subscribes the queue to the topic with raw message delivery; SNS
    /// answers an existing subscription with the same ARN, so this runs at
    /// every open and puts back a subscription someone removed.
    func subscribe(queueURL: String, topicARN: String) async throws(StoreError) {
        let name = queueURL.split(separator: "/").last.map(String.init) ?? queueURL
        let what = "subscribing SQS queue \(name) to SNS topic \(topicARN)"
        let response = try await sns.query("Subscribe", version: Self.snsVersion, [
            (name: "TopicArn", value: topicARN),
            (name: "Protocol", value: "sqs"),
            (name: "Endpoint", value: Self.queueARN(topicARN: topicARN, queueURL: queueURL)),
            (name: "Attributes.entry.1.key", value: "RawMessageDelivery"),
            (name: "Attributes.entry.1.value", value: "true"),
            (name: "ReturnSubscriptionArn", value: "true"),
        ], what: what)
        guard response.status == 200 else { throw sns.failure(response, what: what, permission: "sns:Subscribe on \(topicARN)") }
    }

    /// A queue's ARN in the topic's partition, region and account.
    static func queueARN(topicARN: String, name: String) -> String {
        let parts = topicARN.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 6 else { return "arn:aws:sqs:::\(name)" }
        return "arn:\(parts[1]):sqs:\(parts[3]):\(parts[4]):\(name)"
    }

    /// A queue's ARN from its URL (`…/ACCOUNT/NAME`), in the topic's partition and region.
    static func queueARN(topicARN: String, queueURL: String) -> String {
        let path = queueURL.split(separator: "/").map(String.init)
        let parts = topicARN.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard path.count >= 2, parts.count >= 6 else { return queueARN(topicARN: topicARN, name: path.last ?? queueURL) }
        return "arn:\(parts[1]):sqs:\(parts[3]):\(path[path.count - 2]):\(path[path.count - 1])"
    }

    static func jsonString(_ name: String, in body: Data) -> String? {
        ((try? JSONSerialization.jsonObject(with: body)) as? [String: Any])?[name] as? String
    }
}

/// One reader's SQS queue of the bucket's event notifications.
struct SQSFeed: ChangeFeed {
    /// The most messages one ReceiveMessage returns (SQS's limit).
    static let batchLimit = 10

    let notifications: S3Notifications
    let queueURL: String

    var description: String { "SQS queue \(queueURL.split(separator: "/").last.map(String.init) ?? queueURL)" }

    func receive() async throws(StoreError) -> ChangeBatch {
        let what = "receiving from \(description)"
        let response = try await notifications.sqs.json("AmazonSQS.ReceiveMessage", [
            "QueueUrl": queueURL,
            "MaxNumberOfMessages": Self.batchLimit,
            "MessageSystemAttributeNames": ["SentTimestamp"],
            "WaitTimeSeconds": notifications.waitSeconds,
        ], what: what)
        guard response.status == 200 else { throw notifications.sqs.failure(response, what: what, permission: "sqs:ReceiveMessage") }
        guard let object = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any] else {
            throw StoreError(.badResponse, "The answer to \(what) is not JSON.", cause: HTTPStatus(response))
        }
        let configuration = notifications.store.configuration
        let messages = (object["Messages"] as? [[String: Any]]) ?? []
        var batch = ChangeBatch(filled: messages.count >= Self.batchLimit)
        for message in messages {
            if let receipt = message["ReceiptHandle"] as? String { batch.receipts.append(receipt) }
            if let sent = ((message["Attributes"] as? [String: Any])?["SentTimestamp"] as? String).flatMap({ Int64($0) }) {
                batch.noteQueued(atMs: sent)
            }
            switch S3EventMessage.parse((message["Body"] as? String) ?? "", bucket: configuration.bucket, storePrefix: configuration.prefix) {
            case .created(let infos): batch.created += infos
            case .ignored: batch.ignored += 1
            case .unusable: batch.unusable += 1
            }
        }
        return batch
    }

    func acknowledge(_ batch: ChangeBatch) async throws(StoreError) {
        let what = "deleting handled messages from \(description)"
        var start = 0
        while start < batch.receipts.count {
            let chunk = batch.receipts[start..<min(start + 10, batch.receipts.count)]
            let entries: [[String: String]] = chunk.enumerated().map { ["Id": String($0.offset), "ReceiptHandle": $0.element] }
            let response = try await notifications.sqs.json("AmazonSQS.DeleteMessageBatch", ["QueueUrl": queueURL, "Entries": entries], what: what)
            guard response.status == 200 else { throw notifications.sqs.failure(response, what: what, permission: "sqs:DeleteMessage") }
            start += 10
        }
    }
}
