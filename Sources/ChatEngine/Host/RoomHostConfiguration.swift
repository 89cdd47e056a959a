import ChatProtocol
import Foundation
import ObjectStore

/// Who a ``RoomHost`` acts as, in which store, and how often things happen.
public struct RoomHostConfiguration: Sendable {
    public var identity: DeviceIdentity
    /// The display name of joins this device makes.
    public var displayName: String?
    public var store: any ObjectStore
    /// This identity's state for this store (``StoreStateFolder``): journals,
    /// rooms created here, creator-key pins.
    public var stateFolder: String
    public var cache: ObjectCache?
    public var syncSettings: SyncSettings
    public var uploadPolicy: UploadPolicy
    /// When a private room's epoch is used up.
    public var epochPolicy: EpochPolicy
    /// How often the store is listed for rooms this identity was invited to.
    public var discoveryInterval: Duration
    /// Keys the user trusts for a legacy room's senders, by room id (such
    /// rooms declare none): their events verify, and discovery opens the room.
    public var trustedKeys: @Sendable (String) -> [String: [PublicKey]]
    /// Where the host's log lines go.
    public var log: @Sendable (String) -> Void

    public init(identity: DeviceIdentity, displayName: String? = nil, store: any ObjectStore, stateFolder: String,
                cache: ObjectCache? = nil, syncSettings: SyncSettings = SyncSettings(), uploadPolicy: UploadPolicy = .standard, epochPolicy: EpochPolicy = .standard,
                discoveryInterval: Duration = .seconds(5),
                trustedKeys: @escaping @Sendable (String) -> [String: [PublicKey]] = { _ in [:] },
                log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.identity = identity
        self.displayName = displayName
        self.store = store
        self.stateFolder = stateFolder
        self.cache = cache
        self.syncSettings = syncSettings
        self.uploadPolicy = uploadPolicy
        self.epochPolicy = epochPolicy
        self.discoveryInterval = discoveryInterval
        self.trustedKeys = trustedKeys
        self.log = log
    }

    /// The verifier for a room: with the keys the user trusts for it.
    func verifier(for roomID: String) -> RoomVerifier {
        RoomVerifier(suppliedKeys: trustedKeys(roomID))
    }
}
