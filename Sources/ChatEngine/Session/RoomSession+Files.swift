import ChatProtocol
import Foundation

/// Shared files (`m.file`, PROTOCOL.md §7): sending them, fetching them, listing them.
extension RoomSession {
    /// Shares the file at `path`: copies it into the room's ``BlobArea``
    /// (1 MiB at a time, hashed on the way, fsynced and renamed to its
    /// SHA-256), then journals the `m.file` message. Returns the event once
    /// both are durable; the uploader puts the bytes in the store before the event.
    ///
    /// - Throws: `file_too_large` above ``fileLimit``, `file_io`, and what ``act(_:unsynced:)`` throws.
    @discardableResult
    public func shareFile(path: String, name: String? = nil, mimetype: String? = nil, caption: String? = nil,
                          replyTo: String? = nil) async throws(EngineError) -> Event {
        try await act(.shareFile(path: path, name: name, mimetype: mimetype, caption: caption, replyTo: replyTo))
    }

    /// Starts a file whose bytes arrive in pieces (a mount's `cp file ROOM/files/`):
    /// append to the writer, ``BlobWriter/finish()``, then ``shareBlob(_:name:mimetype:caption:replyTo:unsynced:)``.
    public nonisolated func beginFile(name: String) throws(EngineError) -> BlobWriter {
        try outbox.blobs.begin(name: name, roomID: roomID, limit: fileLimit)
    }

    /// Shares a blob already durable in the blob area (from ``beginFile(name:)``):
    /// checks and journals its `m.file` message. When the room refuses it, the
    /// blob is removed unless another pending event names the same bytes.
    @discardableResult
    public func shareBlob(_ blob: StoredBlob, name: String, mimetype: String? = nil, caption: String? = nil,
                          replyTo: String? = nil, unsynced: [Event] = []) async throws(EngineError) -> Event {
        let draft: EventDraft
        let earliest: Int64
        var blob = blob
        var encryption: MessageContent.FileEncryption?
        if await isPrivateRoom() {
            // Written in plaintext as it arrived: encrypted now, the plaintext blob dropped.
            let plain = blob
            (blob, encryption) = try encryptedBlob(from: outbox.blobs.path(of: plain.sha256), name: name)
            await discardBlob(plain.sha256)
        }
        do {
            draft = try await fileDraft(blob, name: name, mimetype: mimetype, caption: caption, replyTo: replyTo, unsynced: unsynced,
                                        encryption: encryption)
            earliest = try await check(draft, unsynced: unsynced, includeMessages: true)
        } catch {
            await discardBlob(blob.sha256)
            throw error
        }
        return try await journal(draft, notBefore: earliest)
    }

    /// The `m.file` message for a blob: the name and media type checked as
    /// readers will check them, so nothing is sent that every reader would refuse.
    func fileDraft(_ blob: StoredBlob, name: String, mimetype: String?, caption: String?, replyTo: String?,
                   unsynced: [Event], encryption: MessageContent.FileEncryption? = nil) async throws(EngineError) -> EventDraft {
        let file = MessageContent.FileInfo(name: name, size: blob.size, mimetype: mimetype ?? MediaType.guess(forName: name),
                                           sha256: blob.sha256, encryption: encryption)
        if let problem = file.problem {
            throw EngineError(.invalidEvent, "Room \(roomID): cannot share \(name.debugDescription): \(problem). Nothing was sent.")
        }
        let body = caption.flatMap { $0.isEmpty ? nil : $0 } ?? name
        var parent: String?
        if let replyTo { parent = try await resolve(replyTo, unsynced: unsynced) }
        return EventDraft(type: EventType.message, content: .message(MessageContent(body: body, msgtype: "m.file", file: file)),
                          parentEventID: parent)
    }

    /// A private room's file: `path` encrypted under a fresh key
    /// (``FileCipher``) into the blob area, named by its ciphertext's hash.
    func encryptedBlob(from path: String, name: String) throws(EngineError) -> (StoredBlob, MessageContent.FileEncryption) {
        let temporary = outbox.blobs.folder + "/.encrypting-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        let encryption: MessageContent.FileEncryption
        do {
            try FileManager.default.createDirectory(atPath: outbox.blobs.folder, withIntermediateDirectories: true)
            encryption = try FileCipher.encrypt(from: path, to: temporary)
        } catch {
            throw EngineError(.fileIO, "Room \(roomID): cannot encrypt \(name.debugDescription) from \(path): \(error). Nothing was sent.")
        }
        let blob = try outbox.blobs.importFile(temporary, name: name, roomID: roomID, limit: FileCipher.encryptedSize(of: fileLimit))
        return (blob, encryption)
    }

    /// Removes the blob a refused share left, unless a pending event names the same bytes.
    func discardBlob(of draft: EventDraft) async {
        guard let sha = draft.content["file"]?.objectValue?["sha256"]?.stringValue else { return }
        await discardBlob(sha)
    }

    func discardBlob(_ sha256: String) async {
        guard await !outbox.pendingAttachments().contains(sha256) else { return }
        outbox.blobs.remove(sha256)
    }

    /// The local path of a shared file's bytes, fetched from the store on
    /// first use (``AttachmentCache/fetch(roomID:file:eventID:senderID:limit:from:)``);
    /// this device's own unuploaded shares are read from the blob area.
    ///
    /// - Parameters:
    ///   - reference: the `m.file` event's REF, id or unique prefix.
    ///   - limit: the largest file fetched; nil: ``fileLimit``.
    public func fetchFile(_ reference: String, limit: Int64? = nil) async throws(EngineError) -> String {
        let id = try await resolve(reference, unsynced: [])
        let (verification, pending) = await view()
        let event = verification.accepted.last(where: { $0.event.eventID == id })?.event ?? pending.last(where: { $0.eventID == id })
        // This device's own unsynced share in a private room opens with its pending epoch.
        let state = event.map { e in verification.state.contains(eventID: e.eventID) ? verification.state
            : verification.previewState(pending, signedBy: identity.key.publicKey) }
        guard let event, let message = state?.message(of: event), let file = message.file else {
            throw EngineError(.notFound, "Room \(roomID): \(EventReference.short(id)) is not a shared file.")
        }
        if verification.state.isRedacted(id) {
            throw EngineError(.notFound, "Room \(roomID): the file \(file.name) (\(EventReference.short(id))) was redacted.")
        }
        if outbox.blobs.contains(file.sha256) {
            return try await attachments.plaintext(of: outbox.blobs.path(of: file.sha256), file: file, roomID: roomID, eventID: id,
                                                   senderID: event.senderID)
        }
        return try await attachments.fetch(roomID: roomID, file: file, eventID: id, senderID: event.senderID,
                                           limit: limit ?? fileLimit, from: store)
    }

    /// The room's shared files, in timeline order, redacted ones left out
    /// (``RoomVerification/sharedFiles``).
    public func files() async -> [SharedFile] {
        await sync.verification.sharedFiles
    }

    /// The attachment alarms recorded for this room (mismatched or missing files).
    public func attachmentAlarms() async -> [Alarm] {
        await attachments.alarms(roomID: roomID)
    }
}
