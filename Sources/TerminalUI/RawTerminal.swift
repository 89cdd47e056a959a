#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The terminal in raw mode on the alternate screen, and always given back:
/// ``restore()`` on a normal exit, at `exit()` (atexit), and from a crash
/// signal (SIGSEGV, SIGABRT, SIGBUS, SIGILL, SIGFPE, SIGTRAP), after which the
/// signal is raised again for the handler it had before (the Swift runtime's
/// backtrace, or the default action), so the process still dies of it. SIGINT, SIGTERM and SIGHUP are the program's to handle
/// (``SignalWatch``): it quits in order, which restores the terminal too.
public final class RawTerminal: Sendable {
    public let input: Int32
    public let output: Int32

    /// Whether a descriptor is a terminal.
    public static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

    /// Saves the terminal's settings, then switches it to raw mode (no echo,
    /// no line buffering, no signals from keys: Ctrl-C arrives as a key),
    /// the alternate screen and bracketed paste.
    public init(input: Int32 = 0, output: Int32 = 1) throws {
        self.input = input
        self.output = output
        var saved = termios()
        guard tcgetattr(input, &saved) == 0 else {
            throw TerminalError("cannot read the terminal's settings: \(String(cString: strerror(errno)))")
        }
        TerminalRestore.save(saved, input: input, output: output)
        var raw = saved
        raw.c_iflag &= ~tcflag_t(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON)
        raw.c_lflag &= ~tcflag_t(ECHO | ECHONL | ICANON | ISIG | IEXTEN)
        raw.c_cflag &= ~tcflag_t(CSIZE | PARENB)
        raw.c_cflag |= tcflag_t(CS8)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        guard tcsetattr(input, TCSAFLUSH, &raw) == 0 else {
            throw TerminalError("cannot put the terminal in raw mode: \(String(cString: strerror(errno)))")
        }
        TerminalRestore.installHandlers()
        write(Escape.alternateScreenOn + Escape.bracketedPasteOn + Escape.clearScreen)
    }

    /// Gives the terminal back as it was (idempotent, from any thread).
    public func restore() {
        TerminalRestore.restore()
    }

    /// Writes all of `text` to the terminal.
    public func write(_ text: String) {
        TerminalRestore.writeAll(output, Array(text.utf8))
    }

    /// The terminal's size in rows and columns (24×80 if it will not say).
    public var size: (rows: Int, columns: Int) {
        var size = winsize()
        guard ioctl(output, UInt(TIOCGWINSZ), &size) == 0, size.ws_row > 0, size.ws_col > 0 else { return (24, 80) }
        return (Int(size.ws_row), Int(size.ws_col))
    }
}

public struct TerminalError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// The saved settings and the restore path that signal handlers use: plain
/// globals set once before any handler is installed, and only
/// async-signal-safe calls (write, tcsetattr, signal, raise).
enum TerminalRestore {
    nonisolated(unsafe) static var saved = termios()
    nonisolated(unsafe) static var input: Int32 = -1
    nonisolated(unsafe) static var output: Int32 = -1
    /// Set while the terminal is raw; cleared by the first restore.
    nonisolated(unsafe) static var active: Int32 = 0
    /// ``Escape/restore`` as bytes, allocated once.
    nonisolated(unsafe) static var restoreBytes: UnsafeMutableBufferPointer<UInt8> = {
        let bytes = Array(Escape.restore.utf8)
        let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: bytes.count)
        _ = buffer.initialize(from: bytes)
        return buffer
    }()
    nonisolated(unsafe) static var installed = false

    static let crashSignals: [Int32] = [SIGSEGV, SIGABRT, SIGBUS, SIGILL, SIGFPE, SIGTRAP]

    static func save(_ settings: termios, input: Int32, output: Int32) {
        _ = restoreBytes
        saved = settings
        self.input = input
        self.output = output
        active = 1
    }

    /// The handlers the crash signals had before ours (the Swift runtime's
    /// backtracer, or the default), by signal number: ours puts it back and
    /// raises the signal again, so it still runs (a backtrace, a core dump).
    nonisolated(unsafe) static var previous = UnsafeMutablePointer<sigaction>.allocate(capacity: 65)

    static func installHandlers() {
        guard !installed else { return }
        installed = true
        atexit { TerminalRestore.restore() }
        for crash in crashSignals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { number in
                TerminalRestore.restore()
                sigaction(number, TerminalRestore.previous + Int(number), nil)
                raise(number)
                // The previous handler returned (the backtracer does, for a
                // signal sent by kill): the default action ends the process.
                signal(number, SIG_DFL)
                raise(number)
            }
            sigemptyset(&action.sa_mask)
            // SA_NODEFER: the signal raised again reaches the previous handler at once.
            action.sa_flags = Int32(SA_NODEFER)
            sigaction(crash, &action, previous + Int(crash))
        }
    }

    /// Leaves the alternate screen and puts the saved settings back, once.
    static func restore() {
        // Not a lock (a signal handler may run here); a second restore is harmless anyway.
        guard active == 1 else { return }
        active = 0
        writeAll(output, UnsafeBufferPointer(restoreBytes))
        _ = tcsetattr(input, TCSAFLUSH, &saved)
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { writeAll(fd, $0) }
    }

    static func writeAll(_ fd: Int32, _ bytes: UnsafeBufferPointer<UInt8>) {
        guard var pointer = bytes.baseAddress else { return }
        var left = bytes.count
        while left > 0 {
            let written = write(fd, pointer, left)
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            pointer += written
            left -= written
        }
    }
}
