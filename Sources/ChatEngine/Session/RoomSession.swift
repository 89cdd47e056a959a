import ChatProtocol
import Foundation
import ObjectStore

/// One identity's open room: its verified view (``RoomSync``), its journal
/// and uploader (``Outbox``), and the actions of PROTOCOL.md §6 and §7, each
/// checked against the room's rules before anything is signed.
public actor RoomSession {
    public nonisolated let roomID: String
    public nonisolated let identity: DeviceIdentity
    public nonisolated let store: any ObjectStore
    public nonisolated let outbox: Outbox
    public nonisolated let sync: RoomSync
    /// The identity's state folder: journals, pins, rooms created here.
    public nonisolated let stateFolder: String
    private let lock: JournalLock
    private let policy: UploadPolicy
    private var uploader: Task<Void, Never>?
    /// Events this session journaled that the synced view may not show yet
    /// (uploaded or not): the outbox forgets them once uploaded, the view
    /// learns them only at the next sync.
    private var unseen: [Event] = []
    /// Shared files fetched from the store: the cache's, or `attachments/`
    /// in the state folder when the session has no cache.
    public nonisolated let attachments: AttachmentCache
    /// The largest file ``shareFile(path:name:mimetype:caption:replyTo:)`` takes (``FileLimit``).
    public nonisolated let fileLimit: Int64
    /// Where verified signatures are remembered (the cache's), if anywhere.
    private let memo: SignatureMemo?
    /// When a private room's epoch is used up (``EpochPolicy``).
    public nonisolated let epochPolicy: EpochPolicy
    /// This device's clock (milliseconds since the epoch): what its events are
    /// stamped with and what the view checks timestamps against.
    let now: @Sendable () -> Int64

    /// Opens a room for an identity: takes the journal's lock (another process
    /// writing the same room makes this wait, then fail) and replays the journal.
    ///
    /// - Parameter now: the device's clock; tests skew it.
    public init(roomID: String, identity: DeviceIdentity, store: any ObjectStore, stateFolder: String,
                cache: ObjectCache? = nil, syncSettings: SyncSettings = SyncSettings(),
                policy: UploadPolicy = .standard, verifier: RoomVerifier = RoomVerifier(),
                fileLimit: Int64 = FileLimit.standard, epochPolicy: EpochPolicy = .standard,
                now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }) throws(EngineError) {
        guard RoomID.isValid(roomID) else {
            throw EngineError(.notFound, "\"\(roomID)\" is not a room id: room ids match [A-Za-z0-9_-]{1,64}.")
        }
        lock = try JournalLock(journalPath: Journal.path(stateFolder: stateFolder, roomID: roomID, clientID: identity.clientID))
        self.roomID = roomID
        self.identity = identity
        self.store = store
        self.policy = policy
        self.stateFolder = stateFolder
        self.now = now
        memo = verifier.memo ?? cache?.signatures
        attachments = cache?.attachments ?? AttachmentCache(folder: stateFolder + "/attachments")
        self.fileLimit = fileLimit
        self.epochPolicy = epochPolicy
        outbox = try Outbox(stateFolder: stateFolder, roomID: roomID, senderID: identity.senderID,
                            clientID: identity.clientID, key: identity.key, now: now)
        // The device key opens the epoch keys of private rooms sealed to it.
        var verifier = verifier
        verifier.readerKeys = [identity.key]
        sync = RoomSync(store: store, roomID: roomID, verifier: verifier, settings: syncSettings, cache: cache,
                        creatorKeyPin: CreatorKeyPin(stateFolder: stateFolder, roomID: roomID), now: now)
    }

    /// Starts uploading journaled events in the background (idempotent).
    public func startUploading() {
        guard uploader == nil else { return }
        let job = Uploader(outbox: outbox, store: store, policy: policy, attachments: attachments)
        uploader = Task { await job.run() }
    }

    /// Stops the background uploader; what is journaled stays for the next run.
    public func stopUploading() {
        uploader?.cancel()
        uploader = nil
    }

    /// Syncs once. When the store cannot be reached the view falls back to
    /// the cache and the error is returned, so actions still work offline.
    @discardableResult
    public func refresh(progress: (@Sendable (Int, Int) -> Void)? = nil) async -> (updates: SyncDelivery, error: StoreError?) {
        do {
            return (try await sync.sync(progress: progress), nil)
        } catch {
            return (await sync.loadCache(), error)
        }
    }

    /// The verified view plus this device's events not yet in it, oldest first.
    public func view() async -> (verification: RoomVerification, pending: [Event]) {
        let verification = await sync.verification
        return (verification, await ownUnsynced(verification, unsynced: []))
    }

    /// Signs and journals an event already checked; remembers it until the view shows it.
    /// In a private room, content goes out encrypted (``sealing(for:unsynced:)``).
    func journal(_ draft: EventDraft, notBefore: Int64, unsynced: [Event] = []) async throws(EngineError) -> Event {
        var sealing = draft.sealing
        if sealing == nil { sealing = try await self.sealing(for: draft.type, unsynced: unsynced) }
        let event = try await outbox.send(type: draft.type, content: draft.content, parentEventID: draft.parentEventID,
                                          notBefore: notBefore, sealing: sealing)
        noteSent([event])
        return event
    }

    /// Remembers events sent until the view shows them, and their signatures,
    /// so the sync does not verify this device's own uploads again.
    func noteSent(_ events: [Event]) {
        unseen += events
        memo?.rememberSigned(events, key: identity.key.publicKey)
    }

    /// The id of the event a reference (REF, id or unique prefix) names.
    public func resolve(_ reference: String) async throws(EngineError) -> String {
        try await resolve(reference, unsynced: [])
    }

    /// This device's events the verified view does not show yet (pending in the
    /// outbox, sent by this session, or `unsynced` from the caller), oldest first.
    /// Without `includeMessages`, plain messages are left out.
    ///
    /// Runs before every send: messages are skipped before any lookup, and
    /// nothing is copied or sorted but what is returned, so a long
    /// `cat file > send` (thousands of pending messages) costs a scan per
    /// write, not a sort of its whole backlog.
    func ownUnsynced(_ verification: RoomVerification, unsynced: [Event], includeMessages: Bool = true) async -> [Event] {
        unseen.removeAll { verification.state.contains(eventID: $0.eventID) }
        let pending = await outbox.pendingEvents
        var seen: Set<String> = []
        var own: [Event] = []
        for list in [pending, unseen, unsynced] {
            for event in list where (includeMessages || event.type != EventType.message)
                && !verification.state.contains(eventID: event.eventID) && seen.insert(event.eventID).inserted {
                own.append(event)
            }
        }
        return own.sorted { RoomVerifier.precedes($0, $1) }
    }
}
