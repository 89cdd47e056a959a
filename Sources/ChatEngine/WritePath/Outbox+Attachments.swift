import ChatProtocol

/// What the uploader needs to know to keep the blob area tidy.
extension Outbox {
    /// The SHA-256 of every file a pending (not yet uploaded) event names: blobs still needed.
    func pendingAttachments() -> Set<String> {
        Set(UploadBatch.attachments(of: pending))
    }
}
