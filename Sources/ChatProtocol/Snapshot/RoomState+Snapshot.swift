/// A room's state written into its ledger snapshot and read back, so that a
/// restore rebuilds nothing: not the members, not what edits, redactions,
/// reactions and threads did. (Its table of events is the timeline's index,
/// written apart: ``EventIndex``.)
///
/// Restoring costs what the state holds, not what the timeline holds: a
/// room of a million events of which a fifth are reactions, edits and
/// replies opens as fast as one of plain messages.
extension RoomState {
    func write(to writer: inout SnapshotWriter) {
        writer.optionalString(name)
        writer.optionalString(topic)
        writer.int(members.count)
        for (id, member) in members.sorted(by: { $0.key.precedesInBytes($1.key) }) {
            writer.string(id)
            writer.string(member.membership.rawValue)
            writer.optionalString(member.displayName)
            writer.keys(member.keys)
            writer.keys(member.revokedKeys)
            writer.strings(member.devices)
            writer.keys(member.pinnedKey.map { [$0] } ?? [])
            writer.u8(member.everJoined ? 1 : 0)
        }
        writer.strings(redacted)
        writer.int(editHistory.count)
        for (target, edits) in editHistory.sorted(by: { $0.key.value.precedesInBytes($1.key.value) }) {
            writer.string(target.value)
            writer.int(edits.count)
            for edit in edits {
                writer.string(edit.editID)
                writer.message(edit.content)
            }
        }
        writer.int(reactionEvents.count)
        for reaction in reactionEvents {
            writer.string(reaction.eventID)
            writer.string(reaction.target)
            writer.string(reaction.reaction)
            writer.string(reaction.sender)
        }
        writer.int(threadChildren.count)
        for (parent, children) in threadChildren.sorted(by: { $0.key.precedesInBytes($1.key) }) {
            writer.string(parent)
            writer.strings(children)
        }
        writer.int(typingEvents.count)
        for (sender, typing) in typingEvents.sorted(by: { $0.key.precedesInBytes($1.key) }) {
            writer.string(sender)
            writer.i64(typing.timestampMs)
            writer.u8(typing.typing ? 1 : 0)
        }
    }

    /// The state ``write(to:)`` wrote, for a room with this metadata, whose
    /// table of events is `events`.
    init(reading reader: inout SnapshotReader, roomID: String, metadata: RoomMetadata?, events: EventTable) throws(SnapshotReader.Damaged) {
        self.init(roomID: roomID, metadata: metadata)
        self.events = events
        name = try reader.optionalString()
        topic = try reader.optionalString()
        for _ in 0..<(try reader.int()) {
            let id = try reader.string()
            guard let membership = Membership(rawValue: try reader.string()) else { throw SnapshotReader.Damaged() }
            var member = Member(membership: membership)
            member.displayName = try reader.optionalString()
            member.keys = try reader.keys()
            member.revokedKeys = try reader.keys()
            member.devices = try reader.strings()
            member.pinnedKey = try reader.keys().first
            member.everJoined = try reader.u8() == 1
            members[id] = member
        }
        redacted = try reader.strings()
        redactedSet = Set(redacted.map(ExactString.init))
        for _ in 0..<(try reader.int()) {
            let target = ExactString(try reader.string())
            var edits: [(editID: String, content: MessageContent)] = []
            for _ in 0..<(try reader.int()) { edits.append((try reader.string(), try reader.message())) }
            editHistory[target] = edits
        }
        let reactions = try reader.int()
        reactionEvents.reserveCapacity(reactions)
        for _ in 0..<reactions {
            reactionEvents.append((try reader.string(), try reader.string(), try reader.string(), try reader.string()))
        }
        for _ in 0..<(try reader.int()) {
            let parent = try reader.string()
            threadChildren[parent] = try reader.strings()
        }
        for _ in 0..<(try reader.int()) {
            let sender = try reader.string()
            typingEvents[sender] = (try reader.i64(), try reader.u8() == 1)
        }
    }
}

extension SnapshotWriter {
    mutating func keys(_ keys: [PublicKey]) {
        int(keys.count)
        for key in keys { run(key.bytes) }
    }

    mutating func message(_ content: MessageContent) {
        string(content.body)
        string(content.msgtype)
        guard let file = content.file else { return u8(0) }
        u8(1)
        string(file.name)
        i64(file.size)
        string(file.mimetype)
        string(file.sha256)
    }
}

extension SnapshotReader {
    mutating func keys() throws(Damaged) -> [PublicKey] {
        var keys: [PublicKey] = []
        for _ in 0..<(try int()) {
            guard let key = PublicKey(bytes: try run().array) else { throw Damaged() }
            keys.append(key)
        }
        return keys
    }

    mutating func message() throws(Damaged) -> MessageContent {
        let body = try string()
        let msgtype = try string()
        switch try u8() {
        case 0: return MessageContent(body: body, msgtype: msgtype)
        case 1:
            let file = MessageContent.FileInfo(name: try string(), size: try i64(), mimetype: try string(), sha256: try string())
            return MessageContent(body: body, msgtype: msgtype, file: file)
        default: throw Damaged()
        }
    }
}
