import ChatProtocol
import Foundation
import ObjectStore

/// The rooms of one store as one identity names them: every room folder
/// whose `metadata.json` is valid, and the rooms created on this device whose
/// metadata still waits to be uploaded.
///
/// A command resolves what the user typed (a room id or a room's name) here
/// before it opens anything: a typo or a name must never become a new room
/// folder full of events and no metadata, which no reader can trust.
public struct RoomDirectory: Sendable {
    /// A room that exists: its metadata is valid in the store, or waits here to be uploaded.
    public struct Room: Sendable {
        public let roomID: String
        /// The name its members see: the last verified name this device
        /// recorded, else the metadata's.
        public let name: String
        /// Nil only for a room known offline from this device's journal alone.
        public let metadata: RoomMetadata?
        /// Created on this device; its metadata is not in the store yet.
        public let pendingHere: Bool
    }

    /// What a room folder's `metadata.json` holds.
    public enum MetadataLookup: Sendable {
        case valid(RoomMetadata)
        case missing
        /// Present but unusable: why.
        case invalid(String)
    }

    public let store: any ObjectStore
    public let stateFolder: String
    public let cache: ObjectCache?

    /// At most this many metadata files are fetched at once when listing.
    static let parallelFetches = 16

    public init(store: any ObjectStore, stateFolder: String, cache: ObjectCache?) {
        self.store = store
        self.stateFolder = stateFolder
        self.cache = cache
    }

    /// The room `text` names: a room id, or the name of exactly one room.
    ///
    /// Throws `notFound` (with the closest matches) when it names no room
    /// with valid metadata, `ambiguous` when a name is shared, and
    /// `storeUnavailable` when the store cannot be asked and this device
    /// knows nothing of the room. Reads only; writes nothing.
    public func resolve(_ text: String) async throws(EngineError) -> Room {
        var idProblem: String?
        if RoomID.isValid(text) {
            if let pending = pendingRoom(text) { return pending }
            do {
                switch try await metadata(of: text) {
                case .valid(let metadata): return room(text, metadata)
                case .missing: break
                case .invalid(let why): idProblem = why
                }
            } catch {
                switch error.code {
                case .accessDenied, .noSuchBucket, .missingCredentials:
                    throw EngineError(.storeRefused, "no read permission on \(store.locationDescription) for room \(text): \(error.message) Ask the bucket's owner for read access (docs/deployment.md).", cause: error)
                default:
                    if let known = knownOffline(text) { return known }
                    throw EngineError(.storeUnavailable, "Cannot look up room \"\(text)\" in \(store.locationDescription): \(error.message)", cause: error)
                }
            }
        }
        // A name: first the rooms whose verified name this device recorded, then every room.
        let recorded = (cache?.recordedNames() ?? [:]).filter { $0.value == text }.map(\.key).sorted()
        if recorded.count == 1, let id = recorded.first, case .valid(let metadata)? = try? await metadata(of: id) {
            return room(id, metadata)
        }
        let all: [Room]
        do {
            all = try await rooms()
        } catch {
            throw EngineError(.storeUnavailable, "Cannot list the rooms of \(store.locationDescription) to find \"\(text)\": \(error.message)", cause: error)
        }
        let named = all.filter { $0.name == text || $0.metadata?.name == text }
        if named.count == 1 { return named[0] }
        if named.count > 1 {
            let ids = named.map { "\($0.roomID) (\(TimelineLine.escape($0.name)))" }.joined(separator: ", ")
            throw EngineError(.ambiguous, "\(named.count) rooms in \(store.locationDescription) are named \"\(TimelineLine.escape(text))\": \(ids). Give the room id instead.")
        }
        var message: String
        if let idProblem {
            message = "Room \(text) in \(store.locationDescription) has no valid metadata.json (\(idProblem)), so no reader can trust it and bucketchat neither shows nor writes it. `bucketchat verify --store URL --room \(text)` tells more."
        } else {
            message = "No room \"\(TimelineLine.escape(text))\" in \(store.locationDescription): no room has this id or name. Nothing was written."
        }
        let close = RoomDirectory.closeMatches(to: text, among: all)
        if !close.isEmpty {
            message += " Did you mean: " + close.map { "\($0.roomID) (\(TimelineLine.escape($0.name)))" }.joined(separator: ", ") + "?"
        } else if idProblem == nil {
            message += " `bucketchat room list` lists the rooms; `bucketchat room create NAME` makes one."
        }
        throw EngineError(.notFound, message)
    }

    /// Every room of the store with valid metadata, and those created here
    /// and not uploaded yet, by room id.
    public func rooms() async throws(StoreError) -> [Room] {
        let folders = try await roomFolders()
        let lookups = try await lookUp(folders)
        var rooms: [String: Room] = [:]
        for (id, lookup) in zip(folders, lookups) {
            if case .valid(let metadata) = lookup { rooms[id] = room(id, metadata) }
        }
        for id in RoomSession.pendingMetadataRooms(stateFolder: stateFolder) where rooms[id] == nil {
            if let pending = pendingRoom(id) { rooms[id] = pending }
        }
        return rooms.values.sorted { $0.roomID < $1.roomID }
    }

    /// The ids of the room folders in the store, whatever they hold.
    public func roomFolders() async throws(StoreError) -> [String] {
        try await store.listFolders(prefix: "rooms/")
            .map { String($0.dropFirst("rooms/".count).dropLast()) }
            .filter { RoomID.isValid($0) }
            .sorted()
    }

    /// Reads and checks one room's `metadata.json`. Throws only when the store cannot be asked.
    public func metadata(of roomID: String) async throws(StoreError) -> MetadataLookup {
        try await RoomDirectory.metadata(of: roomID, in: store)
    }

    /// Reads and checks one room's `metadata.json` in a store.
    static func metadata(of roomID: String, in store: any ObjectStore) async throws(StoreError) -> MetadataLookup {
        let data: Data
        do {
            data = try await store.get(try ObjectKey(RoomObjectKey.metadataKey(roomID: roomID)))
        } catch {
            if error.code == .notFound || error.code == .invalidKey { return .missing }
            throw error
        }
        return RoomDirectory.check(Array(data), roomID: roomID)
    }

    /// Whether metadata bytes are a valid `metadata.json` of this room.
    public static func check(_ bytes: [UInt8], roomID: String) -> MetadataLookup {
        let metadata: RoomMetadata
        do {
            metadata = try RoomMetadata(bytes: bytes)
        } catch {
            return .invalid(error.message)
        }
        guard metadata.roomID == roomID else { return .invalid("it names room \(metadata.roomID)") }
        if let problem = metadata.problem() { return .invalid(problem) }
        return .valid(metadata)
    }

    /// Metadata lookups of many rooms, a few at a time, in the order given.
    private func lookUp(_ ids: [String]) async throws(StoreError) -> [MetadataLookup] {
        let store = self.store
        do {
            return try await withThrowingTaskGroup(of: (Int, MetadataLookup).self) { group in
                var results = [MetadataLookup](repeating: .missing, count: ids.count)
                var next = 0
                func launch() {
                    let i = next
                    next += 1
                    group.addTask { (i, try await RoomDirectory.metadata(of: ids[i], in: store)) }
                }
                while next < ids.count && next < RoomDirectory.parallelFetches { launch() }
                while let (i, lookup) = try await group.next() {
                    results[i] = lookup
                    if next < ids.count { launch() }
                }
                return results
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.io, "Listing the rooms of \(store.locationDescription) was interrupted: \(error)")
        }
    }

    private func room(_ id: String, _ metadata: RoomMetadata?, pendingHere: Bool = false) -> Room {
        Room(roomID: id, name: cache?.recordedName(roomID: id) ?? metadata?.name ?? id, metadata: metadata, pendingHere: pendingHere)
    }

    /// A room created here whose metadata waits in the state folder.
    private func pendingRoom(_ id: String) -> Room? {
        let path = RoomSession.pendingMetadataFolder(stateFolder: stateFolder) + "/" + id + ".json"
        guard let data = FileManager.default.contents(atPath: path),
              case .valid(let metadata) = RoomDirectory.check(Array(data), roomID: id) else { return nil }
        return room(id, metadata, pendingHere: true)
    }

    /// A room this device knows, for when the store cannot be reached: its
    /// metadata is cached, or this device has written to it (a journal).
    private func knownOffline(_ id: String) -> Room? {
        if let cached = cache?.objects(prefix: RoomObjectKey.metadataKey(roomID: id)).first,
           case .valid(let metadata) = RoomDirectory.check(cached.bytes, roomID: id) {
            return room(id, metadata)
        }
        return FileManager.default.fileExists(atPath: Journal.folder(stateFolder: stateFolder, roomID: id)) ? room(id, nil) : nil
    }

    /// Rooms whose id or name is close to `text`: the same ignoring case, one
    /// holding the other, or a few edits apart. At most five, closest first.
    static func closeMatches(to text: String, among rooms: [Room]) -> [Room] {
        let wanted = Array(text.lowercased().unicodeScalars)
        var scored: [(Int, Room)] = []
        for room in rooms {
            var best = Int.max
            for candidate in [room.roomID, room.name] where !candidate.isEmpty {
                let lower = candidate.lowercased()
                if lower == text.lowercased() || (wanted.count >= 3 && (lower.contains(text.lowercased()) || text.lowercased().contains(lower))) {
                    best = min(best, 0)
                    continue
                }
                let distance = editDistance(wanted, Array(lower.unicodeScalars))
                if distance <= max(2, wanted.count / 3) { best = min(best, distance) }
            }
            if best != .max { scored.append((best, room)) }
        }
        return scored.sorted { ($0.0, $0.1.roomID) < ($1.0, $1.1.roomID) }.prefix(5).map(\.1)
    }

    /// Levenshtein distance between two strings of scalars.
    static func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = previous
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
