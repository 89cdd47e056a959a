import Foundation

/// The INI files AWS tools share (`~/.aws/credentials`, `~/.aws/config`):
/// sections of `key = value` lines.
public struct AWSProfileFile: Sendable {
    /// Section name (as written between brackets, trimmed) to its settings.
    public let sections: [String: [String: String]]

    public init(text: String) {
        var sections: [String: [String: String]] = [:]
        var current: String?
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                let name = String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
                current = name
                sections[name, default: [:]] = sections[name, default: [:]]
                continue
            }
            // Indented lines belong to nested blocks (e.g. `s3 =` sub-settings), which we skip.
            guard let section = current, let equals = line.firstIndex(of: "="),
                  !(rawLine.first?.isWhitespace ?? false) else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            sections[section]?[key] = value
        }
        self.sections = sections
    }

    /// A profile's settings in a credentials file (`[name]`).
    public func credentialsProfile(_ name: String) -> [String: String]? { sections[name] }

    /// A profile's settings in a config file (`[default]` or `[profile name]`).
    public func configProfile(_ name: String) -> [String: String]? {
        name == "default" ? (sections["default"] ?? sections["profile default"]) : sections["profile \(name)"]
    }
}
