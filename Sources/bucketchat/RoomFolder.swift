import ChatProtocol
import Foundation

/// Reads one room's objects from a folder laid out like a bucket (`rooms/…`).
struct RoomFolder {
    let root: String

    /// Every object under `rooms/{room}/`, keyed relative to the root.
    func objects(roomID: String) throws -> [StoredObject] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CLIError("\(root) is not a folder; pass the folder that holds rooms/")
        }
        let roomPath = root + "/rooms/" + roomID
        guard FileManager.default.fileExists(atPath: roomPath, isDirectory: &isDirectory), isDirectory.boolValue else {
            let rooms = (try? FileManager.default.contentsOfDirectory(atPath: root + "/rooms"))?.sorted() ?? []
            let known = rooms.isEmpty ? "it holds no rooms/ folder" : "rooms there: \(rooms.joined(separator: ", "))"
            throw CLIError("no room \(roomID) in \(root) (\(known))")
        }
        guard let walker = FileManager.default.enumerator(atPath: roomPath) else {
            throw CLIError("cannot list \(roomPath)")
        }
        var out: [StoredObject] = []
        while let relative = walker.nextObject() as? String {
            let full = roomPath + "/" + relative
            guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            guard let data = FileManager.default.contents(atPath: full) else {
                throw CLIError("cannot read \(full); check its permissions")
            }
            out.append(StoredObject(key: "rooms/\(roomID)/\(relative)", bytes: Array(data)))
        }
        return out
    }
}
