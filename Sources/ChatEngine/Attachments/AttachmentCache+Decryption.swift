import ChatProtocol
import Foundation

/// A private room's shared files, opened (docs/private-rooms.md).
///
/// The stored bytes are checked against the event's hash first, as for any
/// file; then they are decrypted into `plain/<plaintext sha256>` beside them,
/// checked against the plaintext hash and size the encrypted event carries,
/// and renamed into place only then. A file that does not open is an
/// `attachment_mismatch` alarm, never half a file.
extension AttachmentCache {
    /// The opened copy of a private room's file whose checked ciphertext is at `stored`.
    public func plaintext(of stored: String, file: MessageContent.FileInfo, roomID: String, eventID: String? = nil,
                          senderID: String? = nil) throws(EngineError) -> String {
        guard let encryption = file.encryption else { return stored }
        let plainFolder = folder + "/plain"
        let target = plainFolder + "/" + encryption.sha256
        if let attributes = try? FileManager.default.attributesOfItem(atPath: target),
           (attributes[.size] as? NSNumber)?.int64Value == encryption.size {
            return target
        }
        let temporary = plainFolder + "/.open-\(UUID().uuidString)"
        do {
            try FileManager.default.createDirectory(atPath: plainFolder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try FileCipher.decrypt(from: stored, to: temporary, encryption: encryption)
        } catch let error as ProtocolError where error.code == .crypto {
            let what = "\(file.name)\(eventID.map { " (\(EventReference.short($0)))" } ?? "") in room \(roomID)"
            let failure = EngineError(.attachmentMismatch, "The file \(what) does not open with the key its encrypted event carries: \(error.message). Its stored bytes match the event's hash, so the sender encrypted something else; nothing was kept.")
            record(Alarm(kind: .attachmentMismatch, senderID: senderID, eventID: eventID, detail: failure.message), roomID: roomID)
            throw failure
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw EngineError(.fileIO, "Cannot open \(file.name) of room \(roomID) into \(plainFolder): \(error). Check the disk.")
        }
        guard rename(temporary, target) == 0 else {
            try? FileManager.default.removeItem(atPath: temporary)
            throw EngineError(.fileIO, "Cannot keep the opened \(file.name) of room \(roomID) at \(target): \(String(cString: strerror(errno))).")
        }
        return target
    }
}
