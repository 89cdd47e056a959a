import Foundation
import Logging

/// `-v` / `--verbose`, repeatable and accepted anywhere before `--`: how much
/// the layers' loggers say on stderr.
///
/// Taken off the command line before the commands parse it, so that it works
/// with every command, the way users type it (`bucketchat -v log lobby` and
/// `bucketchat log lobby -v` alike). Without it, the level is `log_level` in
/// config.toml, else `warning`; `-v` logs every store request and each sync
/// decision (`debug`), `-vv` also polls that found nothing (`trace`).
enum Verbosity {
    /// The arguments without the verbosity flags, and how many `v`s they held.
    static func split(_ arguments: [String]) -> (rest: [String], count: Int) {
        var rest: [String] = []
        var count = 0
        var literal = false
        for argument in arguments {
            if literal {
                rest.append(argument)
                continue
            }
            if argument == "--" {
                literal = true
                rest.append(argument)
            } else if argument == "--verbose" {
                count += 1
            } else if argument.count >= 2, argument.hasPrefix("-"), argument.dropFirst().allSatisfy({ $0 == "v" }) {
                count += argument.count - 1
            } else {
                rest.append(argument)
            }
        }
        return (rest, count)
    }

    /// The level for `count` flags, or the configured one without flags.
    static func level(count: Int, configured: String?) -> Logger.Level {
        switch count {
        case 0: return configured.flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .warning
        case 1: return .debug
        default: return .trace
        }
    }

    /// Sends every logger's lines to stderr at `level` (once, before any logger is made).
    static func bootstrap(_ level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }

    /// Whether store requests are logged: then the store is wrapped to log them.
    static var logsRequests: Bool { Logger(label: "bucketchat.store").logLevel <= .debug }
}
