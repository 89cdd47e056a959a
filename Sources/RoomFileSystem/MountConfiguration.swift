import ChatEngine
import ChatProtocol
import Foundation
import ObjectStore

/// What a mount adds to its ``RoomHost``'s configuration: who owns the nodes.
public struct MountConfiguration: Sendable {
    /// Who mounts, where rooms live, how often things happen.
    public var host: RoomHostConfiguration
    /// Owner shown on every node.
    public var uid: UInt32
    public var gid: UInt32

    public init(host: RoomHostConfiguration, uid: UInt32 = 0, gid: UInt32 = 0) {
        self.host = host
        self.uid = uid
        self.gid = gid
    }

    /// A mount of `identity`'s rooms in `store`; see ``RoomHostConfiguration`` for each setting.
    public init(identity: DeviceIdentity, displayName: String?, store: any ObjectStore, stateFolder: String,
                cache: ObjectCache? = nil, syncSettings: SyncSettings = SyncSettings(), uploadPolicy: UploadPolicy = .standard,
                discoveryInterval: Duration = .seconds(5), uid: UInt32 = 0, gid: UInt32 = 0,
                log: @escaping @Sendable (String) -> Void = { _ in },
                trustedKeys: @escaping @Sendable (String) -> [String: [PublicKey]] = { _ in [:] }) {
        self.init(host: RoomHostConfiguration(identity: identity, displayName: displayName, store: store, stateFolder: stateFolder,
                                              cache: cache, syncSettings: syncSettings, uploadPolicy: uploadPolicy,
                                              discoveryInterval: discoveryInterval, trustedKeys: trustedKeys, log: log),
                  uid: uid, gid: gid)
    }

    public var identity: DeviceIdentity { host.identity }
    public var displayName: String? { host.displayName }

    /// Writes a line to the daemon's log (a file, or stderr with `-f`).
    public func log(_ message: String) { host.log(message) }
}
