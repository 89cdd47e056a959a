import ChatProtocol

/// One log object the uploader formed: events `first ..< first + count` of
/// the journal, encoded once by `LogFile.encode` and journaled before upload.
public struct UploadBatch: Sendable {
    public let first: Int
    public let count: Int
    public let name: LogObjectName
    public let bytes: [UInt8]
}
