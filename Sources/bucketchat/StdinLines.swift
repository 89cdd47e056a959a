#if canImport(Glibc)
import Glibc
#endif

/// The lines of stdin, each checked as UTF-8 before it becomes text.
///
/// `readLine` would turn every invalid byte into U+FFFD, and the result
/// would be signed into the room for good; this reads bytes and refuses a
/// line that is not UTF-8. Lines are handed out as they arrive, so
/// `tail -f x | bucketchat send ROOM` still sends each line at once.
struct StdinLines {
    private var buffer: [UInt8] = []
    private var atEnd = false
    /// How many lines have been handed out.
    private(set) var count = 0

    /// The next line without its newline (nor a `\r` before it), or nil at
    /// the end of stdin.
    mutating func next() throws -> String? {
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                var end = newline
                if end > buffer.startIndex, buffer[end - 1] == 0x0D { end -= 1 }
                let line = Array(buffer[..<end])
                buffer.removeSubrange(...newline)
                return try text(line)
            }
            if atEnd {
                guard !buffer.isEmpty else { return nil }
                defer { buffer = [] }
                return try text(buffer)
            }
            var chunk = [UInt8](repeating: 0, count: 64 << 10)
            let got = chunk.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if got < 0 {
                if errno == EINTR { continue }
                throw CLIError("cannot read stdin: \(String(cString: strerror(errno)))")
            }
            if got == 0 { atEnd = true } else { buffer += chunk[..<got] }
        }
    }

    private mutating func text(_ line: [UInt8]) throws -> String {
        count += 1
        guard let text = String(validating: line, as: UTF8.self) else {
            let before = count == 1 ? "nothing was sent" : "the \(count - 1) line(s) before it were sent, nothing from it on"
            throw CLIError("line \(count) of stdin is not valid UTF-8; \(before). Send text as UTF-8 (convert it with iconv -t UTF-8; encode binary data with base64).")
        }
        return text
    }
}
