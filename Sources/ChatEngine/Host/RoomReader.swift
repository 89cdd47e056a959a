import ChatProtocol
import ObjectStore

/// Views of rooms that another process owns (a mount, or another chat:
/// ``RoomHostClient``), for a face of this process: the owner holds the
/// journals and takes the actions, and this reads. Each room is read
/// without a journal, as `bucketchat follow` reads it, polled at its
/// interval; the views come in the form ``RoomHost/views(of:)`` gives them,
/// with the owner's upload status.
public struct RoomReader: Sendable {
    public let configuration: RoomHostConfiguration
    public let owner: RoomHostClient

    public init(configuration: RoomHostConfiguration, owner: RoomHostClient) {
        self.configuration = configuration
        self.owner = owner
    }

    /// A stream of the room's views: the first holds everything known (the
    /// cache's, when the store cannot be reached), then one per poll. Polling
    /// stops when the caller stops iterating.
    public func views(of roomID: String) -> AsyncStream<RoomView> {
        let (stream, continuation) = AsyncStream.makeStream(of: RoomView.self, bufferingPolicy: .unbounded)
        let c = configuration
        let owner = owner
        let task = Task {
            let sync = RoomSync(store: c.store, roomID: roomID, verifier: c.verifier(for: roomID), settings: c.syncSettings,
                                cache: c.cache, creatorKeyPin: CreatorKeyPin(stateFolder: c.stateFolder, roomID: roomID))
            var loaded = false
            while !Task.isCancelled {
                await sync.trust(c.trustedKeys(roomID))
                var updates = SyncDelivery()
                var failure: String?
                do throws(StoreError) {
                    updates = try await sync.sync()
                } catch {
                    failure = error.message
                    if !loaded { updates = await sync.loadCache() }
                }
                loaded = true
                let verification = updates.isEmpty ? nil : await sync.verification
                continuation.yield(RoomView(roomID: roomID, updates: updates, verification: verification,
                                            metadata: await sync.metadata, upload: RoomReader.status(of: roomID, at: owner),
                                            failure: failure))
                try? await Task.sleep(for: await sync.currentInterval)
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    /// What the owner has journaled for the room and not uploaded yet.
    static func status(of roomID: String, at owner: RoomHostClient) -> UploadStatus {
        let answer = try? owner.request(JSONObject([("op", "flush"), ("rooms", .array([.string(roomID)])), ("wait_ms", .int(0))]))
        let room = answer?["rooms"]?.arrayValue?.first?.objectValue
        return UploadStatus(pendingEvents: Int(room?["pending"]?.intValue ?? 0), lastUpload: nil,
                            lastError: room?["last_error"]?.stringValue ?? (answer == nil ? "the owner of these rooms does not answer" : nil),
                            refusal: nil)
    }
}
