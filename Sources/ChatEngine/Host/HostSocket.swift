#if canImport(Glibc)
import Glibc
#endif
import ChatProtocol
import Foundation

/// Where the process that owns an identity's rooms in one store (a running
/// mount) listens, and the few socket calls both sides share.
///
/// The socket's path must fit `sun_path` (108 bytes), which a state folder
/// under a deep `BUCKETCHAT_HOME` does not, so it lives in a short private
/// folder: `$XDG_RUNTIME_DIR/bucketchat/`, else `/tmp/bucketchat-UID/`
/// (mode 0700, refused unless owned by this user), named by a digest of the
/// state folder. The server also checks each caller's uid (`SO_PEERCRED`).
public enum HostSocket {
    /// The socket path for an identity's state folder of one store.
    public static func path(stateFolder: String) throws(EngineError) -> String {
        let environment = ProcessInfo.processInfo.environment
        let base: String
        if let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty, runtime.utf8.count < 60 {
            base = runtime + "/bucketchat"
        } else {
            base = "/tmp/bucketchat-\(getuid())"
        }
        try privateFolder(base)
        let digest = SHA256.hexDigest(SHA256.digest(Array(stateFolder.utf8))).prefix(24)
        return base + "/" + digest + ".sock"
    }

    /// Creates the folder with mode 0700, or checks that an existing one is
    /// this user's and private: a socket in someone else's folder could be theirs.
    static func privateFolder(_ path: String) throws(EngineError) {
        if mkdir(path, 0o700) != 0 && errno != EEXIST {
            throw EngineError(.journalIO, "Cannot create \(path) for the owner socket: \(String(cString: strerror(errno))).")
        }
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR, info.st_uid == getuid(), info.st_mode & 0o077 == 0 else {
            throw EngineError(.forbidden, "\(path) is not a private folder of this user (mode 0700); remove it or set XDG_RUNTIME_DIR.")
        }
    }

    /// A `sockaddr_un` for `path`, passed to `body`.
    static func withAddress<R>(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8.prefix(MemoryLayout.size(ofValue: address.sun_path) - 1))
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
    }

    /// Writes all of `bytes`; false if the peer went away.
    static func send(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return false }
            offset += n
        }
        return true
    }

    /// Reads one line (without its newline), at most `limit` bytes; nil at end of stream or on error.
    static func receiveLine(_ fd: Int32, limit: Int = 16 << 20) -> [UInt8]? {
        var line: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while line.count <= limit {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return nil }
            if let newline = buffer[0..<n].firstIndex(of: 0x0A) {
                line += buffer[0..<newline]
                return line
            }
            line += buffer[0..<n]
        }
        return nil
    }
}
