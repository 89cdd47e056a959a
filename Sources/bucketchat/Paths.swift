import Foundation

/// Where bucketchat keeps its files.
///
/// `BUCKETCHAT_HOME`, when set, replaces the config, data and state folders
/// with one folder, so several identities can live side by side.
enum Paths {
    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    static var home: String { environment["HOME"] ?? NSHomeDirectory() }

    /// `$XDG_CONFIG_HOME/bucketchat` (default `~/.config/bucketchat`).
    static var configDirectory: String {
        if let root = environment["BUCKETCHAT_HOME"], !root.isEmpty { return root }
        let base = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.config"
        return base + "/bucketchat"
    }

    /// The device's secret key file.
    static var defaultKeyFile: String { configDirectory + "/device-key.json" }

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
