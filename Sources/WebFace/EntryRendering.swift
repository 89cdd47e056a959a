import ChatEngine
import ChatProtocol

/// Timeline entries and room summaries as the browser gets them (docs/web.md).
///
/// Every text field is the engine's presentation (``TimelineLine``): the same
/// TIME, REF, SENDER, KIND and TEXT a terminal shows, escaped the same way
/// (controls, bidi overrides and invisible characters as `\u{HEX}`, newline
/// as `\n`, backslash doubled). The browser unescapes only `\\`, `\n` and
/// `\t` and shows every `\u{…}` as it is, and always inserts text as text.
enum EntryRendering {
    static func text(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }

    /// One timeline entry: a delivered event (`pending` false) or one of this
    /// device's events not yet given back by the store.
    static func entry(_ verified: VerifiedEvent, late: Bool, pending: Bool, room: FaceRoom, me: String) -> JSONValue? {
        let event = verified.event
        let id = event.eventID
        let isRedacted = room.redacted.contains(id)
        let displayName = room.displayName(of: event.senderID)
        guard let line = TimelineLine.render(verified, late: late, displayName: displayName, redacted: isRedacted, epochs: room.epochs) else { return nil }
        // A private room's event counts as what it opened to.
        let content = room.epochs.opened[id]?.content ?? event.content
        let fields = line.dropLast().split(separator: "\t", maxSplits: 4, omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 5 else { return nil }
        let ref = fields[1]
        var kind = fields[3]
        var body = fields[4]
        var target: String?
        switch content {
        case .edit(let t, _): target = t
        case .reaction(let t, _): target = t
        case .redaction(let t, _): target = t
        default: target = nil
        }
        let related = target ?? event.parentEventID
        // The TEXT of a reply, edit, reaction or redaction starts with the REF it points at.
        if let related {
            let prefix = EventReference.short(related)
            if body == prefix {
                body = ""
            } else if body.hasPrefix(prefix + " ") {
                body = String(body.dropFirst(prefix.count + 1))
            }
        }
        if let plus = kind.firstIndex(of: "+") { kind = String(kind[..<plus]) }
        var members: [(String, JSONValue)] = [
            ("ref", .string(ref)), ("id", .string(id)), ("ts", .int(event.timestampMs)), ("time", .string(fields[0])),
            ("sender", .string(TimelineLine.escape(event.senderID))),
            ("name", text(displayName.map { TimelineLine.escape($0) })),
            ("kind", .string(kind)), ("flags", .string(fields[3])), ("text", .string(body)),
            ("redacted", .bool(isRedacted)), ("pending", .bool(pending)), ("late", .bool(late)),
            ("mine", .bool(event.senderID == me)),
            ("parent", text(event.parentEventID.map(EventReference.short))),
            ("target", text(target.map(EventReference.short))),
        ]
        if !isRedacted, let edited = room.edits[id] {
            members.append(("edited", .string(TimelineLine.escape(edited, keepingJoiners: true))))
        }
        if case .message(let message) = content, let file = message.file, !isRedacted {
            members.append(("file", .object(JSONObject([
                ("name", .string(TimelineLine.escape(file.name, keepingJoiners: true))), ("size", .int(file.contentSize)),
                ("mimetype", .string(TimelineLine.escape(file.mimetype))), ("sha256", .string(file.sha256)),
            ]))))
            // The TEXT of a file names it, its size, type and hash: the caption alone is shown.
            members.append(("caption", .string(TimelineLine.escape(message.body, keepingJoiners: true))))
        }
        if let reactions = room.reactions[id], !isRedacted {
            let chips = reactions.sorted { $0.key < $1.key }.map { key, senders in
                JSONValue.object(JSONObject([
                    ("key", .string(TimelineLine.escape(key, keepingJoiners: true))), ("raw", .string(key)),
                    ("count", .int(Int64(senders.count))), ("mine", .bool(senders.contains(me))),
                    ("senders", .array(senders.map { .string(TimelineLine.escape($0)) })),
                ]))
            }
            members.append(("reactions", .array(chips)))
        }
        if let replies = room.threads[id], !replies.isEmpty {
            members.append(("replies", .int(Int64(replies.count))))
        }
        return .object(JSONObject(members))
    }

    /// An alert: a line verification refused, or an integrity alarm. Never silent.
    static func alert(_ update: RoomUpdate) -> JSONValue? {
        switch update {
        case .rejected(let r):
            return .object(JSONObject([
                ("kind", "rejected"), ("code", .string(r.reason.rawValue)),
                ("place", .string(TimelineLine.escape(r.objectKey + (r.line.map { ":\($0)" } ?? "")))),
                ("ref", text(r.eventID.map { TimelineLine.escape(EventReference.short($0)) })),
                ("detail", .string(TimelineLine.escape(r.detail))),
            ]))
        case .alarm(let a):
            return .object(JSONObject([
                ("kind", "alarm"), ("code", .string(a.kind.rawValue)),
                ("place", .string(TimelineLine.escape(a.eventID.map(EventReference.short) ?? a.senderID ?? "-"))),
                ("ref", text(a.eventID.map(EventReference.short))),
                ("detail", .string(TimelineLine.escape(a.detail))),
            ]))
        default:
            return nil
        }
    }

    /// A member, as `bucketchat members --json` shows one (text escaped).
    static func member(_ id: String, _ member: RoomState.Member, room: FaceRoom) -> JSONValue {
        .object(JSONObject([
            ("sender_id", .string(TimelineLine.escape(id))), ("raw_id", .string(id)),
            ("membership", .string(member.membership.rawValue)),
            ("displayname", text(member.displayName.map { TimelineLine.escape($0) })),
            ("keys", .int(Int64(member.keys.count))), ("admin", .bool(room.admins.contains(id))),
            ("trusted_locally", .bool(room.legacy && !member.keys.isEmpty)),
        ]))
    }

    /// A room in the room list.
    static func summary(_ room: FaceRoom, me: String, nowMs: Int64) -> JSONValue {
        let myMembership = room.members.first { $0.id == me }?.member.membership.rawValue
        let typing = room.typing.filter { $0.key != me && nowMs - $0.value <= 15_000 }.keys.sorted()
        return .object(JSONObject([
            ("room_id", .string(room.roomID)),
            ("name", text(room.name.map { TimelineLine.escape($0, keepingJoiners: true) })),
            ("topic", text(room.topic.map { TimelineLine.escape($0, keepingJoiners: true) })),
            ("unread", .int(Int64(room.unread(me: me)))), ("events", .int(Int64(room.events.count))),
            ("pending", .int(Int64(room.pending.count))), ("alerts", .int(Int64(room.alerts.count))),
            ("loaded", .bool(room.loaded)), ("membership", text(myMembership)),
            ("joined", .int(Int64(room.members.filter { $0.member.membership == .join }.count))),
            ("integrity_ok", .bool(room.integrityOK)), ("legacy", .bool(room.legacy)),
            ("metadata_pending", .bool(room.metadataPending)),
            ("upload_pending", .int(Int64(room.upload?.pendingEvents ?? 0))),
            ("upload_error", text(room.upload?.lastError.map { TimelineLine.escape($0) })),
            ("sync_error", text(room.lastSyncError.map { TimelineLine.escape($0) })),
            ("typing", .array(typing.map { id in .string(TimelineLine.escape(room.displayName(of: id) ?? id)) })),
        ]))
    }

    /// The room's state: metadata, name, topic, admins, counts.
    static func state(_ room: FaceRoom, me: String, nowMs: Int64) -> JSONValue {
        guard case .object(var object) = summary(room, me: me, nowMs: nowMs) else { return .null }
        object["creator"] = text(room.creator.map { TimelineLine.escape($0) })
        object["join_rule"] = text(room.joinRule)
        object["admins"] = .array(room.admins.map { .string(TimelineLine.escape($0)) })
        object["me_admin"] = .bool(room.admins.contains(me))
        return .object(object)
    }
}
