import ChatEngine
import ChatProtocol
import Foundation
import Synchronization

/// Who may use the face: whoever holds the access token printed at start
/// (like Jupyter's), exchanged once per browser for a session cookie that is
/// HttpOnly (page scripts never see it) and SameSite=Strict (no other site's
/// page sends it). The WebSocket also needs the page's `Origin` to be the
/// face's own, and every request's `Host` must be one the face answers to,
/// so a DNS-rebinding page cannot talk to it either.
final class AccessGate: Sendable {
    static let cookieName = "bucketchat_session"

    /// The access token: 32 random bytes, hex.
    let token: String
    /// The host names the face answers to (lowercased, without the port).
    let hostNames: Set<String>
    /// The port the face listens on, once known.
    private let port = Mutex(0)
    private let sessions = Mutex<Set<String>>([])

    init(bindHost: String, token: String? = nil) {
        self.token = token ?? AccessGate.randomHex(32)
        var names: Set<String> = ["127.0.0.1", "localhost", "[::1]"]
        let host = bindHost.lowercased()
        if host != "0.0.0.0" && host != "::" && host != "[::]" {
            names.insert(host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host)
        }
        hostNames = names
    }

    static func randomHex(_ count: Int) -> String {
        RandomBytes.make(count).map { String(format: "%02x", $0) }.joined()
    }

    func listening(on port: Int) {
        self.port.withLock { $0 = port }
    }

    var listeningPort: Int { port.withLock { $0 } }

    /// Compares without leaking where the strings differ.
    static func same(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for i in x.indices { difference |= x[i] ^ y[i] }
        return difference == 0
    }

    func tokenMatches(_ given: String) -> Bool { AccessGate.same(given, token) }

    /// A new session; its id is the cookie's value.
    func openSession() -> String {
        let id = AccessGate.randomHex(32)
        sessions.withLock { _ = $0.insert(id) }
        return id
    }

    func isSession(_ id: String) -> Bool { sessions.withLock { $0.contains(id) } }

    /// The Set-Cookie value of a session.
    static func setCookie(_ id: String) -> String {
        "\(cookieName)=\(id); Path=/; HttpOnly; SameSite=Strict"
    }

    /// The session named by a `Cookie` header, if it is one of ours.
    func session(cookieHeader: String?) -> String? {
        guard let cookieHeader else { return nil }
        for part in cookieHeader.split(separator: ";") {
            let pair = part.trimmingCharacters(in: .whitespaces)
            guard pair.hasPrefix(AccessGate.cookieName + "=") else { continue }
            let value = String(pair.dropFirst(AccessGate.cookieName.count + 1))
            if isSession(value) { return value }
        }
        return nil
    }

    /// Whether a `Host` header names this face: one of its own names (a page
    /// of another site reaching it by DNS rebinding sends that site's name).
    func hostAllowed(_ header: String?) -> Bool {
        guard let header = header?.lowercased(), !header.isEmpty else { return false }
        let name: String
        if header.hasPrefix("[") {
            guard let close = header.firstIndex(of: "]") else { return false }
            name = String(header[...close])
        } else if let colon = header.lastIndex(of: ":") {
            name = String(header[..<colon])
        } else {
            name = header
        }
        return hostNames.contains(name)
    }

    /// Why a WebSocket upgrade is refused, or nil when it may go ahead: it
    /// needs our session cookie, and an `Origin` that is this face's own
    /// (`http://` and the `Host` the request was sent to).
    func refusal(cookie: String?, origin: String?, host: String?) -> FaceError? {
        guard hostAllowed(host) else {
            return FaceError(.forbidden, "this server answers only to its own address, not to Host \(host.map { TimelineLine.escape($0) } ?? "(none)")", code: "bad_host")
        }
        guard session(cookieHeader: cookie) != nil else {
            return FaceError(.unauthorized, "no session: open the URL `bucketchat serve` printed (with its token) first", code: "no_session")
        }
        guard let origin, let host, origin.lowercased() == "http://" + host.lowercased() else {
            return FaceError(.forbidden, "WebSocket refused: Origin \(origin.map { TimelineLine.escape($0) } ?? "(none)") is not this server's own origin", code: "bad_origin")
        }
        return nil
    }
}
