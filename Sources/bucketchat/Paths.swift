import Foundation

/// Where bucketchat keeps its files, following the XDG base directories.
///
/// `BUCKETCHAT_HOME`, when set, replaces the config, data and state folders
/// with one folder, so several identities can live side by side.
enum Paths {
    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    static var home: String { environment["HOME"] ?? NSHomeDirectory() }

    private static func base(_ variable: String, default fallback: String) -> String {
        if let root = environment["BUCKETCHAT_HOME"], !root.isEmpty { return root }
        let base = environment[variable].flatMap { $0.isEmpty ? nil : $0 } ?? home + fallback
        return base + "/bucketchat"
    }

    /// Config and keys: `$XDG_CONFIG_HOME/bucketchat` (default `~/.config/bucketchat`).
    static var configDirectory: String { base("XDG_CONFIG_HOME", default: "/.config") }

    /// Data: the default local store and the object cache (`~/.local/share/bucketchat`).
    static var dataDirectory: String { base("XDG_DATA_HOME", default: "/.local/share") }

    /// State: journals and logs (`~/.local/state/bucketchat`).
    static var stateDirectory: String { base("XDG_STATE_HOME", default: "/.local/state") }

    /// The device's secret key file.
    static var defaultKeyFile: String { configDirectory + "/device-key.json" }

    static var configFile: String { configDirectory + "/config.toml" }

    /// Creates a folder (and its parents) readable only by the user.
    static func makePrivateDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw CLIError("cannot create folder \(path): \(error.localizedDescription)")
        }
    }
}
