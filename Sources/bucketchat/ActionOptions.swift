import ArgumentParser
import ChatEngine
import ChatProtocol

/// Options of every command that writes an event.
struct ActionOptions: ParsableArguments {
    @Flag(help: "Wait until the event is uploaded (as `bucketchat flush` does).")
    var wait = false

    @Option(name: .customLong("upload-timeout"), help: ArgumentHelp(
        "Seconds to try uploading before returning; the event is already safe in the journal.", valueName: "seconds"))
    var uploadTimeout: Double = 3

    @OptionGroup var storeOptions: StoreOptions

    /// Runs the actions of `body` in a room and prints the new events' REFs,
    /// then uploads for a while (or until done with --wait). While a mount of
    /// this identity and store runs, the actions go through it.
    func perform(room: String, _ body: (ActionTarget) async throws -> [String]) async throws {
        let client = try await Client.load(storeOptions)
        if let owner = RoomHostClient.find(stateFolder: client.stateFolder) {
            let roomID = try await client.resolve(room).roomID
            let ids = try await body(ActionTarget(.owner(owner), roomID: roomID))
            for id in ids { print(EventReference.short(id)) }
            // --wait: no limit (null).
            let limit: JSONValue = wait ? .null : .int(Int64(uploadTimeout * 1000))
            let answer = try owner.request(JSONObject([("op", "flush"), ("rooms", .array([.string(roomID)])), ("wait_ms", limit)]))
            if let status = answer["rooms"]?.arrayValue?.first?.objectValue, status["uploaded"]?.boolValue == false {
                let why = status["last_error"]?.stringValue.map { " (last error: \($0))" } ?? ""
                Output.warn("\(status["pending"]?.intValue ?? 0) event(s) of room \(roomID) are safe in the mount's journal but not uploaded yet\(why); the mount goes on uploading them")
            }
            return
        }
        let session = try await client.open(room)
        let room = session.roomID
        let target = ActionTarget(.local(session), roomID: room)
        let ids = try await body(target)
        for id in ids { print(EventReference.short(id)) }
        let uploaded: Bool
        do {
            uploaded = try await session.outbox.flush(until: wait ? nil : .now + .milliseconds(Int(uploadTimeout * 1000)))
        } catch {
            let error: EngineError = error
            if error.code != .storeRefused && error.code != .conflict { throw error }
            let pending = await session.outbox.status.pendingEvents
            await session.stopUploading()
            let why = error.code == .conflict ? "the store holds a different object under this device's next name"
                                              : "no write permission: the store refused the upload"
            throw EngineError(.storeRefused, "\(why) to \(client.location) for room \(room); \(pending) event(s) are safe in this device's journal and are uploaded by `bucketchat flush` (or the next send or mount) once that is fixed. \(error.message)")
        }
        if !uploaded {
            let status = await session.outbox.status
            let why = status.lastError.map { " (last error: \($0))" } ?? ""
            Output.warn("\(status.pendingEvents) event(s) of room \(room) are safe in the journal but not uploaded yet\(why); `bucketchat flush` uploads them")
        } else if target.changedMembership {
            // What this device may do next depends on a membership change: the
            // cached view takes it in now, so an action taken offline later
            // (checked against the cache) knows of this join.
            try? await client.catchUp(session.sync)
        }
        await session.stopUploading()
    }
}
