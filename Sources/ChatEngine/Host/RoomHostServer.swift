#if canImport(Glibc)
import Glibc
#endif
import ChatProtocol
import Foundation
import Synchronization

/// The owner's side of the local socket: other processes of the same
/// identity and store (CLI commands while a mount runs) act through the
/// owner's ``RoomHost``, its journals and its verified state, instead of
/// waiting for a journal lock they cannot get.
///
/// One request per connection, one JSON object per line each way:
/// - `{"op": "hello"}` → who owns: `pid` and what the owner said about itself;
/// - `{"op": "act", "room": ID, "actions": [RoomAction.wire...]}` → `events`
///   (ids), each durable in the owner's journal, and `signed` (the events
///   themselves, so the caller can show them before they sync); on a
///   refusal, the ids done before it and `code`/`message`;
/// - `{"op": "flush", "rooms": [ID...] or null, "wait_ms": N or null}` →
///   per room whether everything is uploaded, what is pending, the last error.
/// Every answer has `ok`; a failed one has `code` (``EngineError/Code``) and `message`.
public final class RoomHostServer: Sendable {
    public let path: String
    private let fd: Int32
    private let host: RoomHost
    private let about: JSONObject
    /// Set by ``stop()``: the accept loop ends instead of reporting an error.
    private let stopped = Mutex(false)

    /// Listens at the socket of the host's identity and store. Throws `busy`
    /// when another owner answers there; a socket left by a killed owner is replaced.
    ///
    /// - Parameter about: what `hello` answers besides the pid (e.g. the mount point).
    public init(host: RoomHost, about: JSONObject) throws(EngineError) {
        let path = try HostSocket.path(stateFolder: host.configuration.stateFolder)
        if let owner = RoomHostClient.find(stateFolder: host.configuration.stateFolder),
           let hello = try? owner.request(JSONObject([("op", "hello")])) {
            throw EngineError(.busy, "Another bucketchat process (pid \(hello["pid"]?.intValue ?? 0)\(hello["mountpoint"]?.stringValue.map { ", mounted at \($0)" } ?? "")) already owns the rooms of \(host.configuration.identity.senderID) in \(host.configuration.store.locationDescription); use it, or stop it first (`bucketchat umount`).")
        }
        unlink(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw EngineError(.journalIO, "Cannot open the owner socket: \(String(cString: strerror(errno))).") }
        let bound = HostSocket.withAddress(path) { bind(fd, $0, $1) }
        guard bound == 0, chmod(path, 0o600) == 0, listen(fd, 16) == 0 else {
            let why = String(cString: strerror(errno))
            close(fd)
            throw EngineError(.journalIO, "Cannot listen at \(path): \(why).")
        }
        self.path = path
        self.fd = fd
        self.host = host
        self.about = about
    }

    /// Accepts connections on a thread of its own until ``stop()``.
    public func start() {
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "bucketchat-owner-socket"
        thread.start()
    }

    /// Stops accepting and removes the socket.
    public func stop() {
        stopped.withLock { $0 = true }
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
        unlink(path)
    }

    private func acceptLoop() {
        while true {
            let client = accept(fd, nil, nil)
            if client < 0 {
                if stopped.withLock({ $0 }) { return }
                if errno == EINTR || errno == ECONNABORTED { continue }
                host.configuration.log("owner socket \(path): accept failed: \(String(cString: strerror(errno))); no more requests are taken")
                return
            }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            guard peerIsThisUser(client) else {
                close(client)
                continue
            }
            let thread = Thread { [self] in serve(client) }
            thread.start()
        }
    }

    /// Whether the process at the other end runs as this user (the socket's
    /// folder is private already; this holds even if someone loosened it).
    private func peerIsThisUser(_ client: Int32) -> Bool {
        var credentials = PeerCredentials()
        var length = socklen_t(MemoryLayout<PeerCredentials>.size)
        guard getsockopt(client, SOL_SOCKET, RoomHostServer.peerCredentialsOption, &credentials, &length) == 0 else { return false }
        return credentials.uid == getuid()
    }

    /// Linux's `struct ucred`, which Glibc's module does not export (it needs _GNU_SOURCE).
    private struct PeerCredentials {
        var pid: Int32 = 0
        var uid: UInt32 = 0
        var gid: UInt32 = 0
    }

    /// Linux's `SO_PEERCRED` (asm-generic/socket.h).
    private static let peerCredentialsOption: Int32 = 17

    /// Answers one request, then closes the connection.
    private func serve(_ client: Int32) {
        defer { close(client) }
        guard let line = HostSocket.receiveLine(client) else { return }
        let answer: JSONObject
        if case .object(let request)? = try? JSONParser(maxBytes: 16 << 20).parse(line) {
            // The engine is async; this thread waits for it, as a FUSE thread would.
            let box = Mutex<JSONObject?>(nil)
            let done = DispatchSemaphore(value: 0)
            Task { [self] in
                let result = await respond(to: request)
                box.withLock { $0 = result }
                done.signal()
            }
            done.wait()
            answer = box.withLock { $0 } ?? RoomHostServer.failure(EngineError(.cancelled, "the owner stopped"))
        } else {
            answer = RoomHostServer.failure(EngineError(.invalidEvent, "a request is one JSON object on one line"))
        }
        _ = HostSocket.send(client, CanonicalJSON.encode(.object(answer)) + [0x0A])
    }

    private func respond(to request: JSONObject) async -> JSONObject {
        switch request["op"]?.stringValue {
        case "hello":
            var answer = about
            answer["ok"] = .bool(true)
            answer["pid"] = .int(Int64(getpid()))
            return answer
        case "act":
            return await act(request)
        case "flush":
            return await flush(request)
        case let other:
            return RoomHostServer.failure(EngineError(.invalidEvent, "unknown op \(other.map { "\"\($0)\"" } ?? "(none)")"))
        }
    }

    private func act(_ request: JSONObject) async -> JSONObject {
        var done: [JSONValue] = []
        var signed: [JSONValue] = []
        do throws(EngineError) {
            guard let roomID = request["room"]?.stringValue, RoomID.isValid(roomID) else {
                throw EngineError(.invalidEvent, "an act request needs a room id")
            }
            var actions: [RoomAction] = []
            for item in request["actions"]?.arrayValue ?? [] {
                guard let object = item.objectValue else { throw EngineError(.invalidEvent, "actions must be objects") }
                actions.append(try RoomAction(wire: object))
            }
            let session = try await host.open(roomID)
            for action in actions {
                let event = try await session.act(action)
                done.append(.string(event.eventID))
                signed.append(.object(event.json))
            }
            return JSONObject([("ok", true), ("events", .array(done)), ("signed", .array(signed))])
        } catch {
            var answer = RoomHostServer.failure(error)
            answer["events"] = .array(done)
            return answer
        }
    }

    private func flush(_ request: JSONObject) async -> JSONObject {
        let wanted = request["rooms"]?.arrayValue?.compactMap(\.stringValue)
        let limit = request["wait_ms"]?.intValue.map { Duration.milliseconds($0) }
        var rooms: [JSONValue] = []
        for roomID in await host.roomIDs where wanted?.contains(roomID) ?? true {
            guard let session = await host.session(roomID) else { continue }
            let uploaded = (try? await session.outbox.flush(until: limit.map { .now + $0 })) ?? false
            let status = await session.outbox.status
            rooms.append(.object(JSONObject([
                ("room", .string(roomID)), ("uploaded", .bool(uploaded)), ("pending", .int(Int64(status.pendingEvents))),
                ("last_error", status.lastError.map { .string($0) } ?? .null),
            ])))
        }
        return JSONObject([("ok", true), ("rooms", .array(rooms))])
    }

    static func failure(_ error: EngineError) -> JSONObject {
        JSONObject([("ok", false), ("code", .string(error.code.rawValue)), ("message", .string(error.message))])
    }
}
