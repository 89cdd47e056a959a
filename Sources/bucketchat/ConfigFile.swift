import Foundation

/// The settings file, `config.toml`: a small subset of TOML — `key = value`
/// lines with strings, integers and booleans, `[section]` headers and `#`
/// comments — which is all bucketchat's settings need.
struct ConfigFile {
    /// Values by `section.key` (or `key` before any section).
    private(set) var values: [String: String] = [:]

    init() {}

    init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else { return }
        var section = ""
        for (number, raw) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]") else { throw CLIError("\(path):\(number + 1): a section header needs a closing ]") }
                section = String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
                continue
            }
            guard let eq = line.firstIndex(of: "=") else {
                throw CLIError("\(path):\(number + 1): expected key = value")
            }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            if value.hasPrefix("\"") {
                guard let close = value.dropFirst().firstIndex(of: "\"") else {
                    throw CLIError("\(path):\(number + 1): unterminated string")
                }
                value = String(value[value.index(after: value.startIndex)..<close])
            } else if let hash = value.firstIndex(of: "#") {
                value = value[..<hash].trimmingCharacters(in: .whitespaces)
            }
            values[section.isEmpty ? key : "\(section).\(key)"] = value
        }
    }

    subscript(key: String) -> String? {
        get { values[key] }
        set { values[key] = newValue }
    }

    func integer(_ key: String) throws -> Int? {
        guard let text = values[key] else { return nil }
        guard let value = Int(text) else { throw CLIError("config.toml: \(key) must be an integer, not \"\(text)\"") }
        return value
    }

    /// The file's text, top-level keys first, then sections.
    var text: String {
        var lines = ["# bucketchat settings. Environment variables and flags override these."]
        let top = values.keys.filter { !$0.contains(".") }.sorted()
        for key in top { lines.append("\(key) = \(quoted(values[key] ?? ""))") }
        let sections = Set(values.keys.compactMap { $0.split(separator: ".", maxSplits: 1).count == 2 ? String($0.split(separator: ".")[0]) : nil })
        for section in sections.sorted() {
            lines.append("")
            lines.append("[\(section)]")
            for key in values.keys.filter({ $0.hasPrefix(section + ".") }).sorted() {
                lines.append("\(key.dropFirst(section.count + 1)) = \(quoted(values[key] ?? ""))")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func quoted(_ value: String) -> String {
        if Int(value) != nil || value == "true" || value == "false" { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "'") + "\""
    }
}
