/// The command line as the kernel gave it, before Swift decodes it.
///
/// `CommandLine.arguments` turns bytes that are not UTF-8 into U+FFFD, so
/// `bucketchat send ROOM $'caf\xe9'` would sign "caf\u{FFFD}" into the room
/// for good. Every argument is text (a room, a message, a name, a path
/// Swift could not open anyway), so one that is not UTF-8 stops the command
/// before anything is done.
enum RawArguments {
    /// Throws, naming the argument, when one is not valid UTF-8.
    static func requireUTF8() throws {
        for index in 1..<Int(CommandLine.argc) {
            guard let raw = CommandLine.unsafeArgv[index] else { continue }
            guard String(validatingCString: raw) == nil else { continue }
            let shown = String(cString: raw)  // decoded leniently, to show where
            throw CLIError("argument \(index) (\"\(shown)\", U+FFFD where a byte is not UTF-8) is not valid UTF-8; nothing was done. Give text as UTF-8 (convert it with iconv -t UTF-8).")
        }
    }
}
