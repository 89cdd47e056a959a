#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The system log (`syslog(3)`; journald reads it too), for a mount started
/// with `-o syslog`: a daemon started by mount(8) or an fstab line has no
/// terminal and whoever runs it looks in the system's log first.
enum SystemLog {
    /// Opens the log under the name `bucketchat`, with the process id.
    static func open() {
        openlog("bucketchat", LOG_PID, LOG_DAEMON)
    }

    /// Writes one line at `priority` (LOG_INFO by default).
    static func write(_ message: String, priority: Int32 = LOG_INFO) {
        message.withCString { text in
            withVaList([text]) { vsyslog(priority, "%s", $0) }
        }
    }
}
