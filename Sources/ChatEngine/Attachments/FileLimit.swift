import Foundation

/// The largest file this client shares or downloads without being told
/// otherwise: a client's choice, not the protocol's (which allows up to
/// 2^53−1 bytes); docs/protocol-decisions.md, "Attachments".
public enum FileLimit {
    /// 100 MiB.
    public static let defaultBytes: Int64 = 100 << 20
    /// The environment variable that sets the limit, in MiB.
    public static let setting = "BUCKETCHAT_MAX_FILE_MIB"

    /// The limit in force: ``setting`` when it holds a positive number of MiB, else ``defaultBytes``.
    public static var standard: Int64 {
        guard let text = ProcessInfo.processInfo.environment[setting], let mib = Int64(text), mib > 0,
              mib <= (Int64.max >> 20) else { return defaultBytes }
        return mib << 20
    }

    /// How a limit reads in messages: whole MiB when it is one, else bytes.
    public static func describe(_ bytes: Int64) -> String {
        bytes % (1 << 20) == 0 ? "\(bytes >> 20) MiB" : "\(bytes) bytes"
    }
}
