import ChatEngine
import ChatProtocol
import Foundation

/// The web face's picture of every open room, fed by the host's
/// ``RoomHost/views(of:)`` streams, and the live channel to every page.
///
/// Each room's views are applied in order; what changed goes to every open
/// WebSocket as one JSON message (docs/web.md, "Live updates"). Pages ask for
/// timeline pages, members and state through the HTTP API, which reads here.
actor FaceRooms {
    let host: RoomHost
    let me: String
    private var rooms: [String: FaceRoom] = [:]
    private var watching: [String: Task<Void, Never>] = [:]
    private var listeners: [Int: AsyncStream<String>.Continuation] = [:]
    private var nextListener = 0
    /// Read markers by room (the event id read up to), kept in the state folder.
    private var readMarkers: [String: String]
    private let readMarkersPath: String
    private let log: @Sendable (String) -> Void
    /// A sync that delivers more new events than this tells pages to reload the
    /// room's first page instead of sending every event (a room's first load).
    static let liveBatchLimit = 300

    init(host: RoomHost, log: @escaping @Sendable (String) -> Void) {
        self.host = host
        self.me = host.configuration.identity.senderID
        self.log = log
        readMarkersPath = host.configuration.stateFolder + "/web-read-markers.json"
        var markers: [String: String] = [:]
        if let data = FileManager.default.contents(atPath: readMarkersPath),
           case .object(let object)? = try? JSONParser(maxBytes: 16 << 20).parse([UInt8](data)) {
            for member in object.members { if let id = member.value.stringValue { markers[member.key] = id } }
        }
        readMarkers = markers
    }

    static func nowMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    // MARK: Rooms opening and syncing

    /// A room the host opened: watch its views from now on (once).
    func opened(_ session: RoomSession, metadataPending: Bool, name: String? = nil) {
        let roomID = session.roomID
        let room = rooms[roomID] ?? FaceRoom(roomID: roomID)
        let isNew = rooms[roomID] == nil
        room.session = session
        if room.name == nil { room.name = name }
        room.metadataPending = metadataPending
        rooms[roomID] = room
        if watching[roomID] == nil {
            let host = self.host
            watching[roomID] = Task { [weak self] in
                let views = await host.views(of: roomID)
                for await view in views {
                    await self?.deliver(view)
                }
            }
        }
        if isNew || name != nil { broadcast(message("room", roomID, [("room", summary(room))])) }
    }

    func metadataPublished(_ roomID: String, error: String?) {
        guard let room = rooms[roomID] else { return }
        if error == nil { room.metadataPending = false }
        broadcast(message("room", roomID, [("room", summary(room))]))
    }

    /// Applies one view: new events, alerts, the state that changes earlier
    /// lines; tells every page what changed.
    func deliver(_ view: RoomView) {
        guard let room = rooms[view.roomID] else { return }
        let firstLoad = !room.loaded
        var fresh: [Int] = []
        var newAlerts: [JSONValue] = []
        var changed: Set<String> = []
        var typingChanged = false
        if let verification = view.verification {
            let state = verification.state
            for update in view.updates {
                switch update {
                case .event(let verified, let late):
                    let event = verified.event
                    if case .typing(let on) = event.content {
                        room.typing[event.senderID] = on ? event.timestampMs : nil
                        typingChanged = true
                        continue
                    }
                    guard room.position[event.eventID] == nil else { continue }
                    room.pending.removeAll { $0.event.eventID == event.eventID }
                    let position = room.events.count
                    room.events.append(verified)
                    room.late.append(late)
                    room.position[event.eventID] = position
                    room.positionByRef[EventReference.short(event.eventID)] = position
                    fresh.append(position)
                case .rejected, .alarm:
                    if let alert = EntryRendering.alert(update) { newAlerts.append(alert) }
                case .stateChanged:
                    break
                }
            }
            // What the engine resolved; lines whose look changed are sent again.
            let edits = state.edits, reactions = state.reactions, redacted = Set(state.redacted), threads = state.threadChildren
            for key in Set(edits.keys).union(room.edits.keys) where edits[key] != room.edits[key] { changed.insert(key) }
            for key in Set(reactions.keys).union(room.reactions.keys) where reactions[key] != room.reactions[key] { changed.insert(key) }
            changed.formUnion(redacted.subtracting(room.redacted))
            for key in Set(threads.keys).union(room.threads.keys) where threads[key]?.count != room.threads[key]?.count { changed.insert(key) }
            (room.edits, room.reactions, room.redacted, room.threads) = (edits, reactions, redacted, threads)
            room.epochs = state.epochs
            room.name = state.name ?? verification.metadata?.name ?? room.name
            room.topic = state.topic
            room.creator = verification.metadata?.creator
            room.joinRule = verification.metadata?.joinRule.rawValue
            room.admins = state.admins
            room.members = state.members.sorted { $0.key < $1.key }.map { (id: $0.key, member: $0.value) }
            room.legacy = verification.metadata?.isLegacy ?? false
            room.integrityOK = !verification.hasIntegrityProblem
        }
        room.alerts += newAlerts
        if view.failure == nil || !view.updates.isEmpty { room.loaded = true }
        if view.metadata != nil {
            room.hasMetadata = true
            room.name = room.name ?? view.metadata?.name
        }
        room.lastSyncError = view.failure
        room.upload = view.upload
        if firstLoad && room.loaded {
            // The history is read up to the marker kept from the last run, else all of it.
            if let id = readMarkers[room.roomID], let position = room.position[id] {
                room.readCount = position + 1
            } else {
                room.readCount = room.events.count
            }
        }

        if fresh.count > FaceRooms.liveBatchLimit {
            broadcast(message("reload", room.roomID, []))
        } else {
            var shown = Set(fresh)
            var entries: [JSONValue] = []
            for position in fresh { if let e = entry(room, position) { entries.append(e) } }
            for id in changed.sorted() {
                guard let position = room.position[id], shown.insert(position).inserted, let e = entry(room, position) else { continue }
                entries.append(e)
            }
            if !entries.isEmpty { broadcast(message("events", room.roomID, [("events", .array(entries))])) }
        }
        if !newAlerts.isEmpty { broadcast(message("alerts", room.roomID, [("alerts", .array(newAlerts))])) }
        if view.verification != nil || typingChanged || firstLoad || view.failure != nil {
            broadcast(message("room", room.roomID, [("room", summary(room))]))
        }
    }

    /// Events this device journaled through the face: shown at once, marked
    /// pending ("sending…") until a sync delivers them.
    func showPending(_ events: [Event], in roomID: String) {
        guard let room = rooms[roomID] else { return }
        let key = host.configuration.identity.key.publicKey
        var entries: [JSONValue] = []
        for event in events where room.position[event.eventID] == nil {
            if case .typing = event.content { continue }
            let verified = VerifiedEvent(unconfirmed: event, signer: key)
            room.pending.append((event, verified))
            if let e = EntryRendering.entry(verified, late: false, pending: true, room: room, me: me) { entries.append(e) }
        }
        if !entries.isEmpty { broadcast(message("events", roomID, [("events", .array(entries))])) }
    }

    // MARK: Reading

    func session(_ roomID: String) -> RoomSession? { rooms[roomID]?.session }

    var roomList: JSONValue {
        let list = rooms.values.filter { $0.hasMetadata || $0.metadataPending || !$0.loaded }
            .sorted { ($0.name ?? $0.roomID, $0.roomID) < ($1.name ?? $1.roomID, $1.roomID) }
        return .array(list.map { summary($0) })
    }

    func exists(_ roomID: String) -> Bool { rooms[roomID] != nil }

    /// A page of the timeline, oldest first: the `limit` entries before the
    /// event `before` (a REF or an id), or the newest `limit` (with this
    /// device's pending events after them) when `before` is nil.
    func timeline(_ roomID: String, before: String?, limit: Int) throws(FaceError) -> JSONValue {
        guard let room = rooms[roomID] else { throw FaceError.noRoom(roomID) }
        var end = room.events.count
        var page: [JSONValue] = []
        if let before {
            guard let position = room.positionByRef[before] ?? room.position[before] else {
                throw FaceError(.notFound, "room \(roomID) has no event \(TimelineLine.escape(before)) in its timeline")
            }
            end = position
        } else {
            for item in room.pending {
                if let e = EntryRendering.entry(item.verified, late: false, pending: true, room: room, me: me) { page.append(e) }
            }
            page.reverse()
        }
        var start = end
        var taken = 0
        while start > 0 && taken < limit {
            start -= 1
            if let e = entry(room, start) {
                page.append(e)
                taken += 1
            }
        }
        page.reverse()
        let first = page.first?.objectValue?["ref"] ?? .null
        return .object(JSONObject([
            ("room_id", .string(roomID)), ("events", .array(page)), ("more", .bool(start > 0)),
            ("before", start > 0 ? first : .null), ("total", .int(Int64(room.events.count))),
            ("read_count", .int(Int64(room.readCount))),
        ]))
    }

    /// A thread: its parent's entry, then the replies, oldest first.
    func thread(_ roomID: String, ref: String) throws(FaceError) -> JSONValue {
        guard let room = rooms[roomID] else { throw FaceError.noRoom(roomID) }
        guard let position = room.positionByRef[ref] ?? room.position[ref] else {
            throw FaceError(.notFound, "room \(roomID) has no event \(TimelineLine.escape(ref)) in its timeline")
        }
        let parentID = room.events[position].event.eventID
        var entries: [JSONValue] = []
        if let e = entry(room, position) { entries.append(e) }
        for id in room.threads[parentID] ?? [] {
            if let p = room.position[id], let e = entry(room, p) { entries.append(e) }
        }
        for item in room.pending where item.event.parentEventID == parentID {
            if let e = EntryRendering.entry(item.verified, late: false, pending: true, room: room, me: me) { entries.append(e) }
        }
        return .object(JSONObject([("room_id", .string(roomID)), ("parent", .string(EventReference.short(parentID))),
                                   ("events", .array(entries))]))
    }

    func members(_ roomID: String) throws(FaceError) -> JSONValue {
        guard let room = rooms[roomID] else { throw FaceError.noRoom(roomID) }
        return .object(JSONObject([("room_id", .string(roomID)),
                                   ("members", .array(room.members.map { EntryRendering.member($0.id, $0.member, room: room) }))]))
    }

    func state(_ roomID: String) throws(FaceError) -> JSONValue {
        guard let room = rooms[roomID] else { throw FaceError.noRoom(roomID) }
        return EntryRendering.state(room, me: me, nowMs: FaceRooms.nowMs())
    }

    func alerts(_ roomID: String) throws(FaceError) -> JSONValue {
        guard let room = rooms[roomID] else { throw FaceError.noRoom(roomID) }
        return .object(JSONObject([("room_id", .string(roomID)), ("alerts", .array(room.alerts))]))
    }

    /// Moves the read marker to just after `ref` (or to the end), never back.
    func markRead(_ roomID: String, ref: String?) throws(FaceError) -> JSONValue {
        guard let room = rooms[roomID] else { throw FaceError.noRoom(roomID) }
        var count = room.events.count
        if let ref {
            guard let position = room.positionByRef[ref] ?? room.position[ref] else {
                throw FaceError(.notFound, "room \(roomID) has no event \(TimelineLine.escape(ref)) in its timeline")
            }
            count = position + 1
        }
        if count > room.readCount {
            room.readCount = count
            readMarkers[roomID] = room.events[count - 1].event.eventID
            saveReadMarkers()
            broadcast(message("room", roomID, [("room", summary(room))]))
        }
        return summary(room)
    }

    private func saveReadMarkers() {
        let object = JSONObject(readMarkers.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) })
        let bytes = CanonicalJSON.encode(.object(object))
        let temporary = readMarkersPath + ".tmp"
        if FileManager.default.createFile(atPath: temporary, contents: Data(bytes), attributes: [.posixPermissions: 0o600]) {
            _ = try? FileManager.default.replaceItemAt(URL(fileURLWithPath: readMarkersPath), withItemAt: URL(fileURLWithPath: temporary))
            if FileManager.default.fileExists(atPath: temporary) { try? FileManager.default.moveItem(atPath: temporary, toPath: readMarkersPath) }
        }
    }

    // MARK: Live channel

    /// A stream of JSON messages for one page; it opens with the room list.
    func subscribe() -> (Int, AsyncStream<String>) {
        let (stream, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .unbounded)
        let id = nextListener
        nextListener += 1
        listeners[id] = continuation
        continuation.yield(encode(.object(JSONObject([("type", "hello"), ("me", .string(TimelineLine.escape(me))), ("rooms", roomList)]))))
        return (id, stream)
    }

    func unsubscribe(_ id: Int) {
        listeners.removeValue(forKey: id)?.finish()
    }

    var listenerCount: Int { listeners.count }

    /// Ends every page's stream and stops watching (the face stops).
    func stop() {
        for task in watching.values { task.cancel() }
        watching = [:]
        for continuation in listeners.values { continuation.finish() }
        listeners = [:]
    }

    private func broadcast(_ text: String) {
        for continuation in listeners.values { continuation.yield(text) }
    }

    private func message(_ type: String, _ roomID: String, _ members: [(String, JSONValue)]) -> String {
        encode(.object(JSONObject([("type", .string(type)), ("room_id", .string(roomID))] + members)))
    }

    private func encode(_ value: JSONValue) -> String {
        String(decoding: CanonicalJSON.encode(value), as: UTF8.self)
    }

    private func entry(_ room: FaceRoom, _ position: Int) -> JSONValue? {
        EntryRendering.entry(room.events[position], late: room.late[position], pending: false, room: room, me: me)
    }

    private func summary(_ room: FaceRoom) -> JSONValue {
        EntryRendering.summary(room, me: me, nowMs: FaceRooms.nowMs())
    }
}
