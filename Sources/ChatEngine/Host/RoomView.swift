import ChatProtocol

/// What one sync of a room gave a face: what changed, and the room's
/// standing after it.
public struct RoomView: Sendable {
    public let roomID: String
    /// New events, rejections, alarms, in timeline order (the history on the first view).
    public let updates: SyncDelivery
    /// The whole verification, when something changed; nil otherwise. It is
    /// handed over only then and should be dropped soon: holding it would make
    /// the room's ledger copy its timeline at the next change.
    public let verification: RoomVerification?
    /// The room's valid `metadata.json`, once read.
    public let metadata: RoomMetadata?
    /// What this device has journaled and not uploaded yet, and the last upload.
    public let upload: UploadStatus
    /// Why this sync failed (the store could not be reached), if it did.
    public let failure: String?
}
