import ChatEngine
import ChatProtocol
import Foundation
import ObjectStore

/// Who mounts, where rooms live, and how often things happen.
public struct MountConfiguration: Sendable {
    public var identity: DeviceIdentity
    public var displayName: String?
    public var store: any ObjectStore
    /// Journals, pending room metadata (and the daemon log, kept by the CLI).
    public var stateFolder: String
    public var cache: ObjectCache?
    public var syncSettings: SyncSettings
    public var uploadPolicy: UploadPolicy
    /// How often the store is listed for rooms this identity was invited to.
    public var discoveryInterval: Duration
    /// Owner shown on every node.
    public var uid: UInt32
    public var gid: UInt32
    /// Where the daemon's log lines go (a file, or stderr with `-f`).
    public var log: @Sendable (String) -> Void
    /// Keys the user trusts for a legacy room's senders, by room id (such
    /// rooms declare none): their events verify, and the room is mounted.
    public var trustedKeys: @Sendable (String) -> [String: [PublicKey]]

    public init(identity: DeviceIdentity, displayName: String?, store: any ObjectStore, stateFolder: String,
                cache: ObjectCache? = nil, syncSettings: SyncSettings = SyncSettings(), uploadPolicy: UploadPolicy = .standard,
                discoveryInterval: Duration = .seconds(5), uid: UInt32 = 0, gid: UInt32 = 0,
                log: @escaping @Sendable (String) -> Void = { _ in },
                trustedKeys: @escaping @Sendable (String) -> [String: [PublicKey]] = { _ in [:] }) {
        self.identity = identity
        self.displayName = displayName
        self.store = store
        self.stateFolder = stateFolder
        self.cache = cache
        self.syncSettings = syncSettings
        self.uploadPolicy = uploadPolicy
        self.discoveryInterval = discoveryInterval
        self.uid = uid
        self.gid = gid
        self.log = log
        self.trustedKeys = trustedKeys
    }

    /// What the mount's ``RoomHost`` runs with.
    var host: RoomHostConfiguration {
        RoomHostConfiguration(identity: identity, displayName: displayName, store: store, stateFolder: stateFolder, cache: cache,
                              syncSettings: syncSettings, uploadPolicy: uploadPolicy, discoveryInterval: discoveryInterval,
                              trustedKeys: trustedKeys, log: log)
    }
}
