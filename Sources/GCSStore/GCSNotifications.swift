import CloudHTTP
import Foundation
import ObjectStore

/// Cloud Storage Pub/Sub notifications for a chat prefix: the bucket
/// publishes `OBJECT_FINALIZE` for keys under `PREFIX/rooms/` (JSON payload)
/// to the topic `bucketchat-BUCKET-HASH` of the configured project, and each
/// reader device pulls its own subscription to it over Pub/Sub's REST API.
///
/// The topic and the bucket's notification configuration are set up once
/// with gcloud (``setUpCommand``: it also lets Cloud Storage's service agent
/// publish); a reader creates its subscription on first use (or uses one
/// named in the settings).
public struct GCSNotifications: StoreNotifications {
    public let store: GCSStore
    public let project: String
    let tokens: GoogleTokenSource
    /// A pull waits on the server until messages come (about 90 s on the
    /// emulator), so its client tolerates that long without bytes.
    let pullClient: HTTPClient
    /// How long an unacknowledged message is kept: older hints are worthless.
    public var messageRetentionSeconds = 900

    public init(store: GCSStore, project: String) {
        self.store = store
        self.project = project
        let client = store.configuration.client
        self.tokens = GoogleTokenSource(credentials: store.configuration.credentials, client: client, scope: ServiceAccountJWT.pubsubScope)
        var options = client.options
        options.stallSeconds = 150
        self.pullClient = HTTPClient(options: options, retry: client.retry)
    }

    public var description: String { "Pub/Sub notifications of \(store.locationDescription) (topic \(topicName))" }

    var configuration: GCSConfiguration { store.configuration }

    var locationHash: String {
        String(Digest.sha256("\(configuration.bucket)/\(configuration.prefix)").hexString.prefix(12))
    }

    /// The topic's short name (Pub/Sub: letters, digits, `-_.~+%`, starting with a letter, at most 255).
    public var topicName: String { "bucketchat-" + Self.safe(configuration.bucket, max: 60) + "-" + locationHash }
    public var topicPath: String { "projects/\(project)/topics/\(topicName)" }
    /// Objects under this are notified: the store's rooms.
    public var keyPrefix: String { configuration.prefix + "rooms/" }

    /// A reader's subscription name, per device and store location.
    public func subscriptionName(subscriber: String) -> String {
        let tail = subscriber.split(separator: "/").last.map(String.init) ?? subscriber
        let hash = Digest.sha256("\(configuration.bucket)/\(configuration.prefix)\n\(subscriber)").hexString.prefix(16)
        return "bucketchat-" + Self.safe(tail, max: 40) + "-" + hash
    }

    static func safe(_ text: String, max: Int) -> String {
        String(text.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? $0 : "-" }.prefix(max))
    }

    /// The gcloud command that sets the bucket up: creates the topic if
    /// needed, lets the bucket's service agent publish to it, and adds the
    /// notification configuration.
    public var setUpCommand: String {
        "gcloud storage buckets notifications create gs://\(configuration.bucket) --topic=\(topicPath) --event-types=OBJECT_FINALIZE --payload-format=json"
            + (keyPrefix.isEmpty ? "" : " --object-prefix=\(keyPrefix)")
    }

    public static let readerPermissions = ["pubsub.subscriptions.create", "pubsub.topics.attachSubscription", "pubsub.subscriptions.consume"]

    /// One signed Pub/Sub REST call.
    func call(_ method: String, _ path: String, _ object: [String: Any]?, what: String, client: HTTPClient? = nil) async throws(StoreError) -> HTTPResponse {
        var request = HTTPRequest(method: method, url: configuration.pubsubEndpoint + "/v1/" + path)
        if let object {
            request.body = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            request.headers.append((name: "Content-Type", value: "application/json"))
        }
        if let authorization = try await tokens.authorization() {
            request.headers.append((name: "Authorization", value: authorization))
        }
        return try await (client ?? configuration.client).send(request, what: what)
    }

    /// A failed Pub/Sub answer as a `StoreError`.
    static func failure(_ response: HTTPResponse, what: String, permission: String) -> StoreError {
        let object = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any]
        let message = ((object?["error"] as? [String: Any])?["message"] as? String) ?? response.bodySnippet
        let cause = HTTPStatus(response)
        switch response.status {
        case 401, 403:
            return StoreError(.accessDenied, "Access denied while \(what): the account needs \(permission). \(message)", cause: cause)
        case 404:
            return StoreError(.notFound, "Not found while \(what): \(message)", cause: cause)
        case 429, 500...599:
            return StoreError(.serverError, "Pub/Sub kept failing while \(what) (HTTP \(response.status)). Try again later.", cause: cause)
        default:
            return StoreError(.badResponse, "Unexpected HTTP \(response.status) while \(what): \(message)", cause: cause)
        }
    }

    public func openFeed(_ request: ChangeFeedRequest) async throws(StoreError) -> any ChangeFeed {
        if let named = request.named {
            let path = named.hasPrefix("projects/") ? named : "projects/\(project)/subscriptions/\(named)"
            return PubSubFeed(notifications: self, subscription: path)
        }
        let path = "projects/\(project)/subscriptions/\(subscriptionName(subscriber: request.subscriber))"
        let what = "creating Pub/Sub subscription \(path)"
        let response = try await call("PUT", path, [
            "topic": topicPath,
            "ackDeadlineSeconds": 60,
            "messageRetentionDuration": "\(messageRetentionSeconds)s",
        ], what: what)
        switch response.status {
        case 200, 409:  // made now, or there already (ALREADY_EXISTS)
            return PubSubFeed(notifications: self, subscription: path)
        case 404:
            throw StoreError(.notFound, "Notifications are not set up for \(store.locationDescription): there is no Pub/Sub topic \(topicPath). Set them up with `\(setUpCommand)` (docs/deployment.md).", cause: HTTPStatus(response))
        default:
            throw Self.failure(response, what: what, permission: Self.readerPermissions.joined(separator: ", "))
        }
    }
}

/// One reader's Pub/Sub subscription to the bucket's notifications.
struct PubSubFeed: ChangeFeed {
    /// The most messages one pull asks for: one acknowledge answers them all.
    static let batchLimit = 100

    let notifications: GCSNotifications
    let subscription: String

    var description: String { "Pub/Sub subscription \(subscription.split(separator: "/").last.map(String.init) ?? subscription)" }

    func receive() async throws(StoreError) -> ChangeBatch {
        let what = "pulling from \(description)"
        let response = try await notifications.call("POST", subscription + ":pull", ["maxMessages": Self.batchLimit], what: what, client: notifications.pullClient)
        guard response.status == 200 else {
            throw GCSNotifications.failure(response, what: what, permission: "pubsub.subscriptions.consume")
        }
        guard let object = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any] else {
            throw StoreError(.badResponse, "The answer to \(what) is not JSON.", cause: HTTPStatus(response))
        }
        let messages = (object["receivedMessages"] as? [[String: Any]]) ?? []
        var batch = ChangeBatch(filled: messages.count >= Self.batchLimit)
        let configuration = notifications.configuration
        for received in messages {
            if let ackID = received["ackId"] as? String { batch.receipts.append(ackID) }
            if let published = ((received["message"] as? [String: Any])?["publishTime"] as? String).flatMap(Self.milliseconds) {
                batch.noteQueued(atMs: published)
            }
            switch Self.parse(received["message"] as? [String: Any] ?? [:], bucket: configuration.bucket, storePrefix: configuration.prefix) {
            case .created(let info): batch.created.append(info)
            case .ignored: batch.ignored += 1
            case .unusable: batch.unusable += 1
            }
        }
        return batch
    }

    func acknowledge(_ batch: ChangeBatch) async throws(StoreError) {
        guard !batch.receipts.isEmpty else { return }
        let what = "acknowledging messages of \(description)"
        let response = try await notifications.call("POST", subscription + ":acknowledge", ["ackIds": batch.receipts], what: what)
        guard response.status == 200 else {
            throw GCSNotifications.failure(response, what: what, permission: "pubsub.subscriptions.consume")
        }
    }

    /// An RFC 3339 time as Pub/Sub writes it (`2026-12-07T05:40:00.123456789Z`,
    /// any number of fraction digits) in milliseconds since the epoch.
    static func milliseconds(_ text: String) -> Int64? {
        guard text.hasSuffix("Z") else { return nil }
        let body = text.dropLast()
        let parts = body.split(separator: ".", maxSplits: 1)
        guard let whole = ISO8601DateFormatter().date(from: String(parts[0]) + "Z") else { return nil }
        var ms = Int64((whole.timeIntervalSince1970 * 1000).rounded())
        if parts.count == 2 {
            let digits = parts[1].prefix(3)
            guard digits.allSatisfy(\.isNumber), let fraction = Int64(String(digits).padding(toLength: 3, withPad: "0", startingAt: 0)) else { return nil }
            ms += fraction
        }
        return ms
    }

    enum Notice: Equatable {
        case created(ObjectInfo)
        case ignored
        case unusable
    }

    /// One Pub/Sub message of a Cloud Storage notification: attributes
    /// `eventType`, `bucketId`, `objectId`; data the object's JSON resource
    /// (size as a string, etag), base64.
    static func parse(_ message: [String: Any], bucket: String, storePrefix: String) -> Notice {
        guard let attributes = message["attributes"] as? [String: String], let type = attributes["eventType"] else { return .unusable }
        guard type == "OBJECT_FINALIZE" else { return .ignored }
        guard attributes["bucketId"] == bucket, let name = attributes["objectId"],
              name.hasPrefix(storePrefix), name.count > storePrefix.count else { return .unusable }
        var size = 0
        var etag = ""
        if let data = (message["data"] as? String).flatMap({ Data(base64Encoded: $0) }),
           let resource = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] {
            size = Int((resource["size"] as? String) ?? "") ?? (resource["size"] as? Int) ?? 0
            etag = (resource["etag"] as? String) ?? ""
        }
        return .created(ObjectInfo(key: String(name.dropFirst(storePrefix.count)), size: size, etag: etag))
    }
}
