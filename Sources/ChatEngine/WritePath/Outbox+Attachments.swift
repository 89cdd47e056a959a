import ChatProtocol

/// What the uploader needs to know to keep the blob area tidy.
extension Outbox {
    /// The SHA-256 of every file a pending (not yet uploaded) event names: blobs still needed.
    func pendingAttachments() -> Set<String> {
        Set(UploadBatch.attachments(of: pending))
    }

    /// Tidies the blobs of an uploaded batch that no pending event still
    /// names: into the attachment cache when there is one (the sender's own
    /// downloads are then instant), else removed.
    func releaseBlobs(_ shas: [String], into attachments: AttachmentCache?) async {
        guard !shas.isEmpty else { return }
        let needed = pendingAttachments()
        for sha in shas where !needed.contains(sha) && blobs.contains(sha) {
            if let attachments, await attachments.adopt(blobs.path(of: sha), sha256: sha) { continue }
            blobs.remove(sha)
        }
    }
}
