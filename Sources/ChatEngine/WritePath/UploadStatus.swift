import Foundation

/// What a user sees of an outbox's uploads.
public struct UploadStatus: Sendable {
    /// Events journaled but not yet confirmed in the store.
    public var pendingEvents: Int
    /// When the last upload succeeded, and its key.
    public var lastUpload: (date: Date, key: String)?
    /// The last failure's text, cleared by the next success.
    public var lastError: String?
    /// The last failure, when it is one retrying will not fix (conflict,
    /// access denied): `flush()` throws it until an upload succeeds.
    public var refusal: EngineError?
}
