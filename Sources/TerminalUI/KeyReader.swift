#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Reads key presses from a terminal on a thread of its own and hands them
/// over as they come; a lone Escape is told apart from the start of a
/// sequence by 40 ms of quiet.
public enum KeyReader {
    /// Starts reading `fd`. `keys` gets every batch decoded; `end` is called
    /// once if the input ends (the terminal went away).
    public static func start(fd: Int32 = 0, keys: @escaping @Sendable ([Key]) -> Void, end: @escaping @Sendable () -> Void) {
        let thread = Thread {
            var decoder = KeyDecoder()
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                if decoder.hasPending {
                    var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                    if poll(&descriptor, 1, 40) == 0 {
                        let flushed = decoder.flush()
                        if !flushed.isEmpty { keys(flushed) }
                        continue
                    }
                }
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR || errno == EAGAIN { continue }
                guard count > 0 else {
                    end()
                    return
                }
                let decoded = decoder.decode(Array(buffer[..<count]))
                if !decoded.isEmpty { keys(decoded) }
            }
        }
        thread.name = "bucketchat-keys"
        thread.start()
    }
}

/// Signals handled in order by the program rather than by their default
/// action: the handler runs on a dispatch queue, not in signal context.
public final class SignalWatch: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []

    /// Watches `signals` (SIGINT, SIGTERM, SIGHUP, SIGWINCH...) until released.
    public init(_ signals: [Int32], handler: @escaping @Sendable (Int32) -> Void) {
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { handler(number) }
            source.resume()
            sources.append(source)
        }
    }

    deinit {
        for source in sources { source.cancel() }
    }
}
