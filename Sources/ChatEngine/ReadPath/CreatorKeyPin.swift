import ChatProtocol
import Foundation

/// The creator key a reader first saw in a room's `metadata.json`, kept in
/// the state folder: trust on first use for the room's root of trust.
///
/// Without it, whoever can replace `metadata.json` with one signed by another
/// key could make a reader who opens the room again accept a different
/// creator. With it, the reader's verification raises a
/// `creator_key_changed` alarm instead (docs/SECURITY.md).
public struct CreatorKeyPin: Sendable {
    /// `STATE/creator-keys/ROOM_ID`: the key in base64 and a newline.
    public let path: String

    public init(stateFolder: String, roomID: String) {
        path = stateFolder + "/creator-keys/" + roomID
    }

    /// The pinned key; nil when none was pinned yet. A file that does not
    /// hold a key counts as none, so the next sight pins again.
    public func read() -> PublicKey? {
        guard let data = FileManager.default.contents(atPath: path),
              let text = String(data: data, encoding: .utf8) else { return nil }
        return PublicKey(base64: text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Pins a key (atomically: a reader killed meanwhile finds the old file or the new one).
    public func write(_ key: PublicKey) throws(EngineError) {
        let folder = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            try Data((key.base64 + "\n").utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw EngineError(.journalIO, "Cannot pin the creator key of room \((path as NSString).lastPathComponent) in \(path): \(error.localizedDescription). Check that the state folder is writable.")
        }
    }
}
