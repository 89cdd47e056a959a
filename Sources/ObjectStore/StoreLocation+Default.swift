import Foundation

extension StoreLocation {
    /// The embedded default store: `$BUCKETCHAT_HOME/store` when that is set,
    /// else `$XDG_DATA_HOME/bucketchat/store`, else
    /// `~/.local/share/bucketchat/store`.
    public static func defaultFolder(environment: [String: String] = ProcessInfo.processInfo.environment) -> StoreLocation {
        .folder(path: defaultFolderPath(environment: environment))
    }

    /// The path `defaultFolder(environment:)` points at.
    public static func defaultFolderPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let home = environment["BUCKETCHAT_HOME"], !home.isEmpty {
            return normalisedPath(home + "/store")
        }
        // The XDG spec says relative values are invalid and must be ignored.
        if let data = environment["XDG_DATA_HOME"], data.hasPrefix("/") {
            return normalisedPath(data + "/bucketchat/store")
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return normalisedPath(home + "/.local/share/bucketchat/store")
    }
}
