import ChatProtocol
import Foundation

extension ObjectCache {
    /// The room's name as its last verified sync resolved it (`m.room.name`,
    /// else the metadata's), if any sync recorded one.
    ///
    /// Kept so that a command can find a room by the name the user sees (the
    /// mount's `by-name/`) without verifying every room of the store first.
    /// It is only a hint for finding the room: the room it names is opened and
    /// verified as any other.
    public func recordedName(roomID: String) -> String? {
        guard RoomID.isValid(roomID), let data = FileManager.default.contents(atPath: namePath(roomID: roomID)) else { return nil }
        let name = String(decoding: data, as: UTF8.self)
        return name.isEmpty ? nil : name
    }

    /// Every recorded name, by room id.
    public func recordedNames() -> [String: String] {
        let folder = directory.appendingPathComponent("names").path
        let ids = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { RoomID.isValid($0) }
        var names: [String: String] = [:]
        for id in ids { names[id] = recordedName(roomID: id) }
        return names
    }

    /// Records a room's verified name (one small file per room, replaced
    /// atomically, so processes sharing the cache never see half a name).
    /// A failure costs only a name lookup later, so it is ignored.
    public func recordName(_ name: String, roomID: String) {
        guard RoomID.isValid(roomID), recordedName(roomID: roomID) != name else { return }
        let folder = directory.appendingPathComponent("names")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try? Data(name.utf8).write(to: URL(fileURLWithPath: namePath(roomID: roomID)), options: .atomic)
    }

    private func namePath(roomID: String) -> String {
        // Room ids are validated ([A-Za-z0-9_-]), so the name stays in the folder.
        directory.appendingPathComponent("names").path + "/" + roomID
    }
}
