import CloudHTTP
import Foundation
import ObjectStore
@testable import S3Store
import Testing

/// What a queue message of S3 events means, and the bucket's notification
/// configuration as bucketchat changes it (its own entry, everything else kept).
@Suite struct S3NotificationParsingTests {
    static func record(bucket: String = "chat", key: String, event: String = "ObjectCreated:Put", size: Int = 12, etag: String = "abc123") -> String {
        #"{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","eventName":"\#(event)","s3":{"bucket":{"name":"\#(bucket)"},"object":{"key":"\#(key)","size":\#(size),"eTag":"\#(etag)"}}}]}"#
    }

    @Test func keysAreDecodedAsS3EncodesThem() {
        // A space is `+`, a plus `%2B`, anything else outside the unreserved set %XX.
        let body = Self.record(key: "team/rooms/r1/logs/2026-01-01/a+b%2Bc%C3%A9.jsonl")
        #expect(S3EventMessage.parse(body, bucket: "chat", storePrefix: "team/")
                == .created([ObjectInfo(key: "rooms/r1/logs/2026-01-01/a b+cé.jsonl", size: 12, etag: "\"abc123\"")]))
    }

    @Test func anSNSEnvelopeIsOpened() throws {
        let inner = Self.record(key: "team/rooms/r1/metadata.json")
        let envelope = try JSONSerialization.data(withJSONObject: ["Type": "Notification", "MessageId": "1", "Message": inner])
        #expect(S3EventMessage.parse(String(decoding: envelope, as: UTF8.self), bucket: "chat", storePrefix: "team/")
                == .created([ObjectInfo(key: "rooms/r1/metadata.json", size: 12, etag: "\"abc123\"")]))
    }

    @Test func testEventsAndOtherEventsAreIgnoredAndStrangersAreUnusable() {
        #expect(S3EventMessage.parse(#"{"Service":"Amazon S3","Event":"s3:TestEvent","Bucket":"chat"}"#, bucket: "chat", storePrefix: "") == .ignored)
        #expect(S3EventMessage.parse(Self.record(key: "team/rooms/x", event: "ObjectRemoved:Delete"), bucket: "chat", storePrefix: "team/") == .ignored)
        if case .unusable = S3EventMessage.parse(Self.record(bucket: "other", key: "team/rooms/x"), bucket: "chat", storePrefix: "team/") {} else {
            Issue.record("another bucket's event is unusable")
        }
        if case .unusable = S3EventMessage.parse(Self.record(key: "elsewhere/rooms/x"), bucket: "chat", storePrefix: "team/") {} else {
            Issue.record("a key outside the prefix is unusable")
        }
        if case .unusable = S3EventMessage.parse("not json", bucket: "chat", storePrefix: "") {} else { Issue.record("garbage is unusable") }
    }

    @Test func theBucketConfigurationKeepsOtherEntriesAndIsIdempotent() {
        let existing = Data("""
            <?xml version="1.0" encoding="UTF-8"?>
            <NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><QueueConfiguration><Id>theirs</Id><Queue>arn:aws:sqs:us-east-1:1:q</Queue><Event>s3:ObjectRemoved:*</Event></QueueConfiguration><TopicConfiguration><Id>bucketchat-abc</Id><Topic>arn:aws:sns:us-east-1:1:old</Topic><Event>s3:ObjectCreated:*</Event></TopicConfiguration><EventBridgeConfiguration/></NotificationConfiguration>
            """.utf8)
        let document = BucketNotificationDocument(xml: existing)
        #expect(document.blocks.count == 3)
        #expect(document.topicARN(id: "bucketchat-abc") == "arn:aws:sns:us-east-1:1:old")
        #expect(!document.hasTopicBlock(id: "bucketchat-abc", topicARN: "arn:aws:sns:us-east-1:1:new", keyPrefix: "team/rooms/"))
        let changed = document.setting(id: "bucketchat-abc", topicARN: "arn:aws:sns:us-east-1:1:new", keyPrefix: "team/rooms/")
        let text = String(decoding: changed.xml, as: UTF8.self)
        #expect(text.contains("<Id>theirs</Id>") && text.contains("<EventBridgeConfiguration/>"), "others kept")
        #expect(!text.contains(":old<"), "ours replaced")
        let reread = BucketNotificationDocument(xml: changed.xml)
        #expect(reread.hasTopicBlock(id: "bucketchat-abc", topicARN: "arn:aws:sns:us-east-1:1:new", keyPrefix: "team/rooms/"))
        #expect(reread.blocks.count == 3)
        #expect(BucketNotificationDocument(xml: Data("<NotificationConfiguration/>".utf8)).blocks.isEmpty)
    }

    @Test func namesFitTheCloudsLimits() {
        let settings = AWSSettings(credentials: AWSCredentials(accessKeyId: "a", secretAccessKey: "b"), region: "eu-west-1", endpoint: nil)
        let notifications = S3Notifications(store: S3Store(S3Configuration(bucket: "my.chat.bucket", prefix: "team/", settings: settings)))
        let queue = notifications.queueName(subscriber: "user:alice@example.com/alice_laptop_with_a_very_long_device_name_indeed")
        #expect(queue.count <= 80)
        #expect(queue.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        #expect(queue != notifications.queueName(subscriber: "user:bob/alice_laptop_with_a_very_long_device_name_indeed"))
        #expect(notifications.topicName.hasPrefix("bucketchat-my-chat-bucket-"))
        #expect(notifications.sns.endpoint == "https://sns.eu-west-1.amazonaws.com")
        #expect(notifications.sqs.endpoint == "https://sqs.eu-west-1.amazonaws.com")
        #expect(S3Notifications.queueARN(topicARN: "arn:aws:sns:eu-west-1:123456789012:t", queueURL: "https://sqs.eu-west-1.amazonaws.com/123456789012/q1")
                == "arn:aws:sqs:eu-west-1:123456789012:q1")
    }

    @Test func aSignedSNSCallUsesTheServicesScope() {
        let signer = SigV4Signer(credentials: AWSCredentials(accessKeyId: "AKID", secretAccessKey: "secret"), region: "us-east-1", service: "sns")
        let signature = signer.sign(method: "POST", path: "/", query: [], headers: [(name: "Host", value: "sns.us-east-1.amazonaws.com")],
                                    payloadHash: Digest.sha256(Data()).hexString, date: Date(timeIntervalSince1970: 1_700_000_000))
        #expect(signature.authorization.contains("/us-east-1/sns/aws4_request"))
    }
}

/// `enable-notifications` on moto: idempotent, keeps the bucket's other
/// notification entries, refused (naming the permission) to a member's key.
@Suite(.enabled(if: TestServers.s3Endpoint != nil, TestServers.s3Missing))
struct S3NotificationSetUpTests {
    @Test func enablingIsIdempotentAndKeepsOtherEntries() async throws {
        let bucket = TestServers.uniqueBucket("notify")
        let admin = TestServers.s3Store(bucket: bucket, prefix: "team/", credentials: TestServers.adminCredentials)
        try await admin.createBucket()
        // Someone else's entry: removals of another prefix go to a queue.
        let theirs = Data("""
            <NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><QueueConfiguration><Id>theirs</Id>\
            <Queue>arn:aws:sqs:us-east-1:123456789012:elsewhere</Queue><Event>s3:ObjectRemoved:*</Event>\
            <Filter><S3Key><FilterRule><Name>prefix</Name><Value>other/</Value></FilterRule></S3Key></Filter></QueueConfiguration></NotificationConfiguration>
            """.utf8)
        let put = try await admin.send(method: "PUT", key: nil, query: [(name: "notification", value: "")],
                                       headers: [(name: "Content-MD5", value: Digest.md5(theirs).base64EncodedString())],
                                       body: theirs, what: "test: their notification entry")
        #expect(put.status == 200, "\(put.bodySnippet)")

        let notifications = S3Notifications(store: admin)
        let first = try await notifications.enable()
        #expect(first.changedBucket)
        #expect(first.topicARN.hasSuffix(":" + notifications.topicName))
        let document = try await notifications.bucketConfiguration()
        #expect(document.blocks.count == 2)
        #expect(document.blocks.contains { $0.contains("<Id>theirs</Id>") }, "\(document.blocks)")
        #expect(document.topicARN(id: notifications.configurationID) == first.topicARN)
        let second = try await notifications.enable()
        #expect(!second.changedBucket, "nothing to change the second time")
        #expect(second.topicARN == first.topicARN)

        // A member's key may follow notifications but not set them up.
        let member = S3Notifications(store: TestServers.s3Store(bucket: bucket, prefix: "team/"))
        do {
            _ = try await member.enable()
            Issue.record("a member's key set up notifications")
        } catch {
            #expect(error.code == .accessDenied)
            #expect(error.message.contains("sns:CreateTopic"))
        }
    }
}
