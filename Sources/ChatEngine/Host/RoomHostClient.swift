#if canImport(Glibc)
import Glibc
#endif
import ChatProtocol
import Foundation

/// Another process's side of the owner's socket (``RoomHostServer``): a
/// command that finds a live owner of its identity's rooms acts through it.
public struct RoomHostClient: Sendable {
    public let path: String

    /// The live owner of the rooms kept in `stateFolder`, if one runs. A
    /// socket left by an owner that was killed is removed: the caller takes
    /// over, and the journal the owner held is free again.
    public static func find(stateFolder: String) -> RoomHostClient? {
        guard let path = try? HostSocket.path(stateFolder: stateFolder) else { return nil }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        if HostSocket.withAddress(path, { connect(fd, $0, $1) }) == 0 { return RoomHostClient(path: path) }
        if errno == ECONNREFUSED { unlink(path) }
        return nil
    }

    /// Sends one request and returns the answer; a failed answer is thrown
    /// as the owner's ``EngineError``.
    public func request(_ object: JSONObject) throws(EngineError) -> JSONObject {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw EngineError(.journalIO, "Cannot open a socket: \(String(cString: strerror(errno))).") }
        defer { close(fd) }
        guard HostSocket.withAddress(path, { connect(fd, $0, $1) }) == 0 else {
            throw EngineError(.storeUnavailable, "The process that owns these rooms stopped answering at \(path): \(String(cString: strerror(errno))). Run the command again.")
        }
        guard HostSocket.send(fd, CanonicalJSON.encode(.object(object)) + [0x0A]), let line = HostSocket.receiveLine(fd),
              case .object(let answer)? = try? JSONParser(maxBytes: 16 << 20).parse(line) else {
            throw EngineError(.storeUnavailable, "The process that owns these rooms ended the request at \(path) without an answer; what it had journaled is safe. Check with `bucketchat log`.")
        }
        guard answer["ok"]?.boolValue == true else {
            let code = answer["code"]?.stringValue.flatMap(EngineError.Code.init(rawValue:)) ?? .invalidEvent
            throw EngineError(code, answer["message"]?.stringValue ?? "the owner refused the request")
        }
        return answer
    }
}
