import Foundation

/// A bucket's notification configuration (`GET/PUT ?notification`), read and
/// changed by hand: bucketchat owns one `TopicConfiguration` (by its `Id`)
/// and keeps every other configuration the bucket has exactly as it was,
/// since a PUT replaces the whole document.
struct BucketNotificationDocument: Equatable {
    /// The top-level configurations, each as its XML text.
    var blocks: [String]

    static let kinds = ["TopicConfiguration", "QueueConfiguration", "CloudFunctionConfiguration",
                        "LambdaFunctionConfiguration", "EventBridgeConfiguration"]

    init(blocks: [String] = []) {
        self.blocks = blocks
    }

    /// The configurations of a GET answer, in order.
    init(xml: Data) {
        let text = String(decoding: xml, as: UTF8.self)
        var found: [(String.Index, String)] = []
        for kind in Self.kinds {
            var searchFrom = text.startIndex
            while let open = Self.openTag(kind, in: text, from: searchFrom) {
                if text[open.tagEnd...].isEmpty { break }
                if open.selfClosing {
                    found.append((open.start, String(text[open.start..<open.tagEnd])))
                    searchFrom = open.tagEnd
                } else if let close = text.range(of: "</\(kind)>", range: open.tagEnd..<text.endIndex) {
                    found.append((open.start, String(text[open.start..<close.upperBound])))
                    searchFrom = close.upperBound
                } else {
                    break
                }
            }
        }
        blocks = found.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// Where `<kind>` or `<kind …>` or `<kind/>` starts at or after `from`.
    private static func openTag(_ kind: String, in text: String, from: String.Index) -> (start: String.Index, tagEnd: String.Index, selfClosing: Bool)? {
        var from = from
        while let range = text.range(of: "<\(kind)", range: from..<text.endIndex) {
            guard let close = text.range(of: ">", range: range.upperBound..<text.endIndex) else { return nil }
            let next = text[range.upperBound]
            if next == ">" || next == " " || next == "/" || next == "\n" || next == "\t" {
                let selfClosing = text[text.index(before: close.lowerBound)] == "/"
                return (range.lowerBound, close.upperBound, selfClosing)
            }
            from = range.upperBound
        }
        return nil
    }

    /// The `Id` of a configuration block.
    static func id(of block: String) -> String? {
        AWSServiceClient.element("Id", in: Data(block.utf8))
    }

    /// The topic ARN of bucketchat's configuration with this id, if there is one.
    func topicARN(id: String) -> String? {
        guard let block = blocks.first(where: { $0.hasPrefix("<TopicConfiguration") && Self.id(of: $0) == id }) else { return nil }
        return AWSServiceClient.element("Topic", in: Data(block.utf8))
    }

    /// The configuration bucketchat sets: objects created under `keyPrefix` go to `topicARN`.
    static func topicBlock(id: String, topicARN: String, keyPrefix: String) -> String {
        var block = "<TopicConfiguration><Id>\(XMLText.escape(id))</Id><Topic>\(XMLText.escape(topicARN))</Topic><Event>s3:ObjectCreated:*</Event>"
        if !keyPrefix.isEmpty {
            block += "<Filter><S3Key><FilterRule><Name>prefix</Name><Value>\(XMLText.escape(keyPrefix))</Value></FilterRule></S3Key></Filter>"
        }
        return block + "</TopicConfiguration>"
    }

    /// Whether bucketchat's configuration is there as wanted: same topic,
    /// the created-objects event, the key prefix.
    func hasTopicBlock(id: String, topicARN: String, keyPrefix: String) -> Bool {
        guard let block = blocks.first(where: { $0.hasPrefix("<TopicConfiguration") && Self.id(of: $0) == id }) else { return false }
        let wantsFilter = !keyPrefix.isEmpty
        return AWSServiceClient.element("Topic", in: Data(block.utf8)) == topicARN
            && block.contains("s3:ObjectCreated:*")
            && (!wantsFilter || block.contains("<Value>\(XMLText.escape(keyPrefix))</Value>"))
    }

    /// The document with bucketchat's configuration (by id) replaced or added.
    func setting(id: String, topicARN: String, keyPrefix: String) -> BucketNotificationDocument {
        var out = blocks.filter { !($0.hasPrefix("<TopicConfiguration") && Self.id(of: $0) == id) }
        out.append(Self.topicBlock(id: id, topicARN: topicARN, keyPrefix: keyPrefix))
        return BucketNotificationDocument(blocks: out)
    }

    /// The body of a PUT.
    var xml: Data {
        Data(("<NotificationConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">" + blocks.joined() + "</NotificationConfiguration>").utf8)
    }
}
