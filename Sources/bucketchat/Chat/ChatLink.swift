import ChatEngine
import ChatProtocol
import Foundation

/// Where the chat's rooms come from and where its actions go.
///
/// With no other process owning this identity's rooms in this store, the
/// chat owns them: its own ``RoomHost`` runs them (sync, upload, discovery),
/// and it listens on the owner's socket as a mount does, so that `bucketchat
/// send` in another terminal acts through it. When a mount (or another chat)
/// owns them, the chat reads the rooms on its own (``RoomReader``) and acts
/// through the owner, as the command line's `send` does.
struct ChatLink: Sendable {
    enum Owner: Sendable {
        case host(RoomHost, RoomHostServer)
        case other(RoomReader)
    }

    let owner: Owner
    let stateFolder: String

    /// Connects to the owner of the rooms, or becomes it.
    static func open(_ client: Client, trust: TrustOptions, log: @escaping @Sendable (String) -> Void) throws -> ChatLink {
        let files = trust.files
        let configuration = client.ownerConfiguration(trustFiles: files, discoveryMs: 15_000, log: log)
        if let other = RoomHostClient.find(stateFolder: client.stateFolder) {
            return ChatLink(owner: .other(RoomReader(configuration: configuration, owner: other)), stateFolder: client.stateFolder)
        }
        let host = RoomHost(configuration: configuration)
        let server = try RoomHostServer(host: host, about: JSONObject([("chat", .bool(true))]))
        return ChatLink(owner: .host(host, server), stateFolder: client.stateFolder)
    }

    /// Starts running the rooms (when the chat owns them); `opened` hears of
    /// every room the host opens, now and as discovery finds more.
    func start(opened: @escaping @Sendable (String) -> Void) async {
        switch owner {
        case .host(let host, let server):
            server.start()
            await host.start(background: true) { event in
                if case .opened(let session, _) = event { opened(session.roomID) }
            }
        case .other:
            // The owner's journals are in the same state folder: the rooms this identity writes to.
            let written = Set(Journal.rooms(stateFolder: stateFolder) + RoomSession.pendingMetadataRooms(stateFolder: stateFolder))
            for roomID in written.sorted() { opened(roomID) }
        }
    }

    /// Opens a room to show it (the host opens it; a reader needs nothing).
    func open(_ roomID: String) async throws {
        if case .host(let host, _) = owner { try await host.open(roomID) }
    }

    func views(of roomID: String) async -> AsyncStream<RoomView> {
        switch owner {
        case .host(let host, _): return await host.views(of: roomID)
        case .other(let reader): return reader.views(of: roomID)
        }
    }

    /// Performs an action in a room; returns its event once durable in the journal.
    func perform(_ action: RoomAction, in roomID: String) async throws -> Event {
        switch owner {
        case .host(let host, _): return try await ActionTarget(.local(try await host.open(roomID)), roomID: roomID).perform(action)
        case .other(let reader): return try await ActionTarget(.owner(reader.owner), roomID: roomID).perform(action)
        }
    }

    /// Events journaled and not uploaded yet, over every room (the owner's, when it is another process).
    func pendingEvents() async -> Int {
        switch owner {
        case .host(let host, _):
            var pending = 0
            for roomID in await host.roomIDs {
                if let session = await host.session(roomID) { pending += await session.outbox.status.pendingEvents }
            }
            return pending
        case .other:
            return 0
        }
    }

    /// Stops: the owner's socket closes, and the journals are uploaded within
    /// `flushTimeout`; returns how many events stay journaled. Another
    /// process's rooms are its own to upload.
    func stop(flushTimeout: Duration) async -> Int {
        guard case .host(let host, let server) = owner else { return 0 }
        server.stop()
        var sessions: [RoomSession] = []
        for roomID in await host.roomIDs {
            if let session = await host.session(roomID) { sessions.append(session) }
        }
        await host.stop(flushTimeout: flushTimeout)
        var pending = 0
        for session in sessions { pending += await session.outbox.status.pendingEvents }
        return pending
    }
}
