import ChatEngine
import ChatProtocol
import Foundation
import ObjectStore

/// The filesystem a mount shows, as plain calls: FUSEMount translates kernel
/// requests into these, and tests call them directly.
///
/// Threading: libfuse calls in from several threads at once, and each room's
/// sync task delivers from the Swift concurrency pool. All mount state lives
/// behind one lock, ``lock``. It is held only for in-memory work (copying
/// rendered bytes, appending lines), never while waiting on the journal or
/// the network; reads serve what the background sync has already delivered.
/// The lock's condition wakes blocked `follow` readers.
public final class RoomFileSystem: @unchecked Sendable {
    public let configuration: MountConfiguration
    /// The owner of the rooms: their life cycle, sync and discovery.
    public let host: RoomHost

    /// Guards every property below it, and nothing else.
    let lock = NSCondition()
    /// Open rooms by room id, as shown.
    var rooms: [String: MountedRoom] = [:]
    /// Open file handles.
    var handles: [UInt64: OpenFile] = [:]
    var nextHandle: UInt64 = 1
    /// Set by ``stop(flushTimeout:)``: blocked reads return end of file.
    var closing = false

    let startedMs: Int64

    public init(configuration: MountConfiguration) {
        self.configuration = configuration
        host = RoomHost(configuration: configuration.host)
        startedMs = RoomFileSystem.nowMs()
    }

    static func nowMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// Runs `body` holding the lock.
    func locked<R, E: Error>(_ body: () throws(E) -> R) throws(E) -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    func log(_ message: String) {
        configuration.log(message)
    }

    /// The room a directory name names: a room id, or a room's name.
    /// Call with the lock held.
    func room(named name: String) -> MountedRoom? {
        if let room = rooms[name], room.isShown { return room }
        return roomNames().first { $0.name == name }.flatMap { rooms[$0.roomID] }
    }

    /// The rooms the mount shows, by id. Call with the lock held.
    var shownRooms: [String: MountedRoom] { rooms.filter { $0.value.isShown } }

    /// Each room's name as a file name: `/` and controls replaced, a name two
    /// rooms share suffixed with the room id. Call with the lock held.
    func roomNames() -> [(name: String, roomID: String)] {
        var seen: Set<String> = []
        var out: [(String, String)] = []
        for room in shownRooms.values.sorted(by: { $0.roomID < $1.roomID }) {
            guard let raw = room.name else { continue }
            var name = String(String.UnicodeScalarView(raw.unicodeScalars.map { scalar in
                scalar == "/" || scalar.value < 0x20 || (scalar.value >= 0x7F && scalar.value <= 0x9F) ? "_" : scalar
            }))
            if name.utf8.count > 200 { name = String(decoding: Array(name.utf8.prefix(200)), as: UTF8.self) }
            guard !name.isEmpty, name != ".", name != "..", name != NodePath.meName, name != NodePath.byNameName else { continue }
            if !seen.insert(name).inserted { name += " (\(room.roomID))" }
            out.append((name, room.roomID))
        }
        return out
    }

    /// Adds a line to a room's `alerts` and the daemon log. Call with the lock held.
    func alert(_ room: MountedRoom, kind: String, code: String, place: String, detail: String) {
        let time = UTCTime(milliseconds: RoomFileSystem.nowMs()).iso8601
        room.alerts.append("\(time)\t\(kind)\t\(code)\t\(TimelineLine.escape(place))\t\(TimelineLine.escape(detail))\n")
        room.modifiedMs = RoomFileSystem.nowMs()
        log("room \(room.roomID): \(kind) \(code) \(place): \(detail)")
    }
}
