import ChatEngine
import ChatProtocol
import Foundation
import ObjectStore

/// What `bucketchat verify` says of a room's shared files: the ones its
/// events name and, with `--attachments`, whether the store holds each one's
/// bytes as its event says (fetched into a scratch folder, never the cache).
struct AttachmentCheck {
    struct Entry {
        let shared: SharedFile
        /// nil: not fetched; otherwise ok or the alarm kind.
        let outcome: String?
    }

    let entries: [Entry]
    let alarms: [Alarm]

    /// Names the room's files; with `fetch`, downloads and checks each one.
    static func run(_ verification: RoomVerification, store: any ObjectStore, fetch: Bool) async throws -> AttachmentCheck {
        let files = verification.sharedFiles
        guard fetch, !files.isEmpty else { return AttachmentCheck(entries: files.map { Entry(shared: $0, outcome: nil) }, alarms: []) }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("bucketchat-verify-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let cache = AttachmentCache(folder: scratch.path)
        var entries: [Entry] = []
        var alarms: [Alarm] = []
        for shared in files {
            do {
                // Verify checks what is there whatever its size: no download limit.
                _ = try await cache.fetch(roomID: verification.roomID, file: shared.file, eventID: shared.eventID,
                                          senderID: shared.senderID, limit: .max, from: store)
                entries.append(Entry(shared: shared, outcome: "ok"))
            } catch {
                let kind: AlarmKind
                switch error.code {
                case .attachmentMismatch: kind = .attachmentMismatch
                case .attachmentMissing: kind = .attachmentMissing
                default: throw CLIError("cannot check the file \(shared.file.name) (\(shared.reference)) of room \(verification.roomID): \(error.message)")
                }
                entries.append(Entry(shared: shared, outcome: kind.rawValue))
                alarms.append(Alarm(kind: kind, senderID: shared.senderID, eventID: shared.eventID, detail: error.message))
            }
        }
        return AttachmentCheck(entries: entries, alarms: alarms)
    }

    /// The `attachments` array of a JSON report.
    var json: JSONValue {
        .array(entries.map { entry in
            let file = entry.shared.file
            return .object(JSONObject([
                ("ref", .string(entry.shared.reference)), ("event_id", .string(entry.shared.eventID)), ("name", .string(file.name)),
                ("size", .int(file.size)), ("sha256", .string(file.sha256)), ("checked", entry.outcome.map { .string($0) } ?? .null),
            ]))
        })
    }

    /// Lines for the text report.
    var lines: [String] {
        guard !entries.isEmpty else { return [] }
        let checked = entries.filter { $0.outcome != nil }
        var out = ["  \(entries.count) shared file(s)" + (checked.isEmpty ? " (not fetched; --attachments checks them)" : ", \(checked.filter { $0.outcome == "ok" }.count) checked good")]
        for alarm in alarms {
            out.append("  \(alarm.kind.rawValue): \(Terminal.safe(alarm.detail))")
        }
        return out
    }
}
