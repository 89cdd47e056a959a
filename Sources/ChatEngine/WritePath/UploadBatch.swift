import ChatProtocol

/// One log object the uploader formed: events `first ..< first + count` of
/// the journal, encoded once by `LogFile.encode` and journaled before upload.
public struct UploadBatch: Sendable {
    public let first: Int
    public let count: Int
    public let name: LogObjectName
    public let bytes: [UInt8]
    /// The SHA-256 of every file its `m.file` events name, once each: the
    /// blobs that must be in the store before the batch goes up.
    public let attachments: [String]

    /// The attachments `events` name, once each, in order.
    static func attachments(of events: some Sequence<Event>) -> [String] {
        var seen: Set<String> = []
        var out: [String] = []
        for event in events {
            if event.type == EventType.message, case .message(let message) = event.content, let file = message.file,
               seen.insert(file.sha256).inserted {
                out.append(file.sha256)
            } else if event.type == EventType.encrypted, case .encrypted(let sealed) = event.content, let sha = sealed.attachment,
                      seen.insert(sha).inserted {
                // A private room's file: the blob's hash is in the clear (it is ciphertext).
                out.append(sha)
            }
        }
        return out
    }
}
