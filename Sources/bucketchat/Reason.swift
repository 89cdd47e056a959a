/// The optional reason of `redact`, `kick` and `ban`: trailing words, as
/// the `ctl` file takes them (`redact REF [REASON]`), or `--reason`.
enum Reason {
    /// The reason given either way, or nil; both at once is a usage error.
    static func either(_ words: [String], _ option: String?) throws -> String? {
        if !words.isEmpty, option != nil {
            throw CLIError("give the reason once: as words after the arguments or with --reason, not both")
        }
        return words.isEmpty ? option : words.joined(separator: " ")
    }
}
