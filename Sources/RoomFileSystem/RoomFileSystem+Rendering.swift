import ChatEngine
import ChatProtocol
import Foundation

/// The small files made fresh from a room's summary: `me`, `members`,
/// `state`, `typing`. Call each with the lock held.
extension RoomFileSystem {
    /// `sender_id`, `display_name`, `public_key`, `client_id`: one `key<TAB>value` line each.
    func meText() -> String {
        let identity = configuration.identity
        return "sender_id\t\(TimelineLine.escape(identity.senderID))\n"
            + "display_name\t\(TimelineLine.escape(configuration.displayName ?? "-"))\n"
            + "public_key\t\(identity.key.publicKey.base64)\n"
            + "client_id\t\(identity.clientID)\n"
    }

    /// One line per member, as `bucketchat members` prints them:
    /// sender id, membership, display name, number of keys, `admin`.
    func membersText(_ room: MountedRoom) -> String {
        room.members.map { id, member in
            "\(TimelineLine.escape(id))\t\(member.membership.rawValue)\t\(TimelineLine.escape(member.displayName ?? "-"))\t\(member.keys.count) key(s)\(room.admins.contains(id) ? "\tadmin" : "")\(trustedLocally(room, member) ? "\ttrusted locally" : "")\n"
        }.joined()
    }

    /// Whether a member's keys are trusted only because the user said so: in a
    /// legacy room, which declares no keys, every key is.
    func trustedLocally(_ room: MountedRoom, _ member: RoomState.Member) -> Bool {
        room.legacy && !member.keys.isEmpty
    }

    /// Who is typing now (a typing event at most 15 s old): one sender per line.
    func typingText(_ room: MountedRoom) -> String {
        let now = RoomFileSystem.nowMs()
        return room.typing.filter { now - $0.value <= 15_000 }.keys.sorted().map { id in
            TimelineLine.escape(id) + (room.displayName(of: id).map { " (\(TimelineLine.escape($0)))" } ?? "") + "\n"
        }.joined()
    }

    /// One JSON object: metadata, name, topic, members, admins, counts,
    /// verification summary, sync and upload status.
    func stateText(_ room: MountedRoom) -> String {
        func text(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }
        func time(_ ms: Int64?) -> JSONValue { ms.map { .string(UTCTime(milliseconds: $0).iso8601) } ?? .null }
        let members = room.members.map { id, member in
            JSONValue.object(JSONObject([("sender_id", .string(id)), ("membership", .string(member.membership.rawValue)),
                                         ("displayname", text(member.displayName)), ("keys", .int(Int64(member.keys.count))),
                                         ("admin", .bool(room.admins.contains(id))), ("trusted_locally", .bool(trustedLocally(room, member)))]))
        }
        let joined = room.members.filter { $0.member.membership == .join }.count
        let object = JSONObject([
            ("room_id", .string(room.roomID)), ("name", text(room.name)), ("topic", text(room.topic)),
            ("creator", text(room.creator)), ("join_rule", text(room.joinRule)),
            ("admins", .array(room.admins.map { .string($0) })),
            ("members", .array(members)),
            ("counts", .object(JSONObject([("events", .int(Int64(room.acceptedCount))), ("timeline_lines", .int(Int64(room.timeline.lineCount))),
                                           ("joined", .int(Int64(joined))), ("threads", .int(Int64(room.threads.count)))]))),
            ("verification", .object(JSONObject([("integrity_ok", .bool(room.integrityOK)), ("rejected", .int(Int64(room.rejectedCount))),
                                                 ("alarms", .int(Int64(room.alarmCount)))]))),
            ("sync", .object(JSONObject([("loaded", .bool(room.loaded)), ("last_sync", time(room.lastSyncMs)),
                                         ("last_error", text(room.lastSyncError))]))),
            ("upload", .object(JSONObject([("pending_events", .int(Int64(room.upload?.pendingEvents ?? 0))),
                                           ("metadata_pending", .bool(room.metadataPending)),
                                           ("last_upload", room.upload?.lastUpload.map { .string($0.key) } ?? .null),
                                           ("last_error", text(room.upload?.lastError ?? room.metadataError))]))),
        ])
        return String(decoding: CanonicalJSON.encode(.object(object)), as: UTF8.self) + "\n"
    }
}
