/// A usage or I/O error: the command prints the message and exits 2.
struct CLIError: Error, CustomStringConvertible {
    let message: String

    init(_ message: String) {
        self.message = message
    }

    var description: String { message }
}
