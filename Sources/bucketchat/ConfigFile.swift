import Foundation
import TOMLKit

/// The settings file, `config.toml`, read with a real TOML parser (TOMLKit):
/// top-level keys and one level of `[section]`s, whose keys are addressed as
/// `section.key`.
///
/// Mistakes are errors that name the file, the line and the key: a file that
/// is not TOML, a setting of the wrong type (`active_interval_ms = "200"`).
/// A key bucketchat does not know is a warning, so a newer version's
/// settings do not stop an older one.
struct ConfigFile {
    /// One setting's value.
    enum Value: Equatable {
        case string(String)
        case integer(Int)
        case bool(Bool)
    }

    /// The settings bucketchat reads, and which are integers.
    static let integerKeys: Set<String> = [
        "sync.active_interval_ms", "sync.idle_interval_ms", "sync.full_rescan_s", "upload.interval_ms", "mount.discovery_interval_ms",
        "private.rotate_after_events", "private.rotate_after_days", "sync.notification_listing_s",
    ]
    static let stringKeys: Set<String> = ["key_file", "client_id", "sender_id", "display_name", "store", "log_level",
                                          "sync.notifications", "sync.notification_queue"]
    /// String settings that take one of a few words.
    static let choices: [String: [String]] = ["sync.notifications": ["auto", "off"]]

    /// Values by `section.key` (or `key` at the top).
    private(set) var values: [String: Value] = [:]
    /// Where the file is, for messages.
    let path: String

    init() {
        path = "config.toml"
    }

    /// Reads `path`; a missing file is an empty configuration. `warn`: say
    /// on stderr which keys are unknown (once per command, not per read).
    init(path: String, warn: Bool = true) throws {
        self.path = path
        guard let data = FileManager.default.contents(atPath: path) else { return }
        let text = String(decoding: data, as: UTF8.self)
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw CLIError("\(path):\(error.source.begin.line):\(error.source.begin.column): \(error.description); fix the file (TOML: key = \"text\" or key = 123, [section] headers)")
        }
        let lines = ConfigFile.lineNumbers(text)
        for (key, value) in table {
            if let section = value.table {
                for (inner, innerValue) in section {
                    try set("\(key).\(inner)", innerValue, lines: lines, warn: warn)
                }
            } else {
                try set(key, value, lines: lines, warn: warn)
            }
        }
    }

    private mutating func set(_ key: String, _ value: any TOMLValueConvertible, lines: [String: Int], warn: Bool) throws {
        let line = lines[key].map { ":\($0)" } ?? ""
        let converted: Value
        if let text = value.string {
            converted = .string(text)
        } else if let number = value.int {
            converted = .integer(number)
        } else if let flag = value.bool {
            converted = .bool(flag)
        } else {
            throw CLIError("\(path)\(line): \(key) is a \(value.type); bucketchat settings are strings, integers or booleans, in at most one level of [section]")
        }
        if ConfigFile.integerKeys.contains(key) {
            guard case .integer = converted else {
                throw CLIError("\(path)\(line): \(key) must be an integer (e.g. \(key.split(separator: ".").last ?? "") = 200, without quotes)")
            }
        } else if ConfigFile.stringKeys.contains(key) {
            guard case .string(let text) = converted else {
                throw CLIError("\(path)\(line): \(key) must be a string in quotes")
            }
            if let words = ConfigFile.choices[key], !words.contains(text) {
                throw CLIError("\(path)\(line): \(key) must be one of \(words.map { "\"\($0)\"" }.joined(separator: ", ")), not \"\(text)\"")
            }
        } else if warn {
            FileHandle.standardError.write(Data("bucketchat: \(path)\(line): unknown setting \(key), ignored\n".utf8))
        }
        values[key] = converted
    }

    /// The line of each `key =` (as `section.key`), for messages: the parser says where syntax fails, not where a key is.
    static func lineNumbers(_ text: String) -> [String: Int] {
        var out: [String: Int] = [:]
        var section = ""
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[") {
                section = line.dropFirst().prefix { $0 != "]" }.trimmingCharacters(in: .whitespaces)
            } else if let eq = line.firstIndex(of: "="), !line.hasPrefix("#") {
                let key = line[..<eq].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
                out[section.isEmpty ? key : "\(section).\(key)"] = index + 1
            }
        }
        return out
    }

    /// A setting as text (integers and booleans as written).
    subscript(key: String) -> String? {
        get {
            switch values[key] {
            case .string(let text)?: text
            case .integer(let number)?: String(number)
            case .bool(let flag)?: flag ? "true" : "false"
            case nil: nil
            }
        }
        set { values[key] = newValue.map { .string($0) } }
    }

    /// An integer setting; checked when the file was read.
    func integer(_ key: String) throws -> Int? {
        switch values[key] {
        case .integer(let number)?: return number
        case nil: return nil
        default: throw CLIError("\(path): \(key) must be an integer")
        }
    }

    /// The file's text, top-level keys first, then sections, as TOML.
    var text: String {
        var lines = ["# bucketchat settings. Environment variables and flags override these."]
        let top = values.keys.filter { !$0.contains(".") }.sorted()
        for key in top { lines.append("\(key) = \(ConfigFile.literal(values[key]))") }
        let sections = Set(values.keys.compactMap { $0.contains(".") ? String($0.split(separator: ".", maxSplits: 1)[0]) : nil })
        for section in sections.sorted() {
            lines.append("")
            lines.append("[\(section)]")
            for key in values.keys.filter({ $0.hasPrefix(section + ".") }).sorted() {
                lines.append("\(key.dropFirst(section.count + 1)) = \(ConfigFile.literal(values[key]))")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A TOML literal: a basic string with `\`, `"` and control characters escaped.
    static func literal(_ value: Value?) -> String {
        switch value {
        case .integer(let number)?: return String(number)
        case .bool(let flag)?: return flag ? "true" : "false"
        case .string(let text)?:
            var out = "\""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\t": out += "\\t"
                case _ where scalar.value < 0x20 || scalar.value == 0x7F: out += String(format: "\\u%04X", scalar.value)
                default: out.unicodeScalars.append(scalar)
                }
            }
            return out + "\""
        case nil: return "\"\""
        }
    }
}
