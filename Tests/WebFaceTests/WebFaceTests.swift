import ChatEngine
import ChatProtocol
import Foundation
import HummingbirdTesting
import NIOCore
import ObjectStore
import Testing
@testable import WebFace

#if canImport(Glibc)
import Glibc
#endif

/// The web face's HTTP API in process: a real server on a free port over a
/// memory store, driven by Hummingbird's test client.
@Suite struct WebFaceTests {
    static let token = "test-token-0123456789"

    /// A face over a fresh identity and store; the host runs no background
    /// tasks (tests sync by hand).
    func face(store: MemoryStore = MemoryStore(), name: String = "alice", seed: UInt8 = 1) async throws -> (WebFace, String) {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("bucketchat-web-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        let identity = DeviceIdentity(senderID: "user:\(name)", clientID: "\(name)_d1", key: try SigningKey(seed: [UInt8](repeating: seed, count: 32)))
        let host = RoomHost(configuration: RoomHostConfiguration(
            identity: identity, displayName: name.capitalized, store: store, stateFolder: state + "/" + name,
            uploadPolicy: .fixed(.milliseconds(1))))
        let face = WebFace(host: host, configuration: WebFace.Configuration(host: "127.0.0.1", port: 0, token: WebFaceTests.token))
        await face.start(background: false)
        return (face, state)
    }

    /// Signs in: the token for a cookie. Returns the `Cookie` header to send.
    func signIn(_ client: some TestClientProtocol) async throws -> String {
        let response = try await client.execute(uri: "/rooms/room_x?token=\(WebFaceTests.token)", method: .get)
        #expect(response.status == .seeOther)
        #expect(response.headers[.location] == "/rooms/room_x")
        let setCookie = try #require(response.headers[.setCookie])
        #expect(setCookie.contains("HttpOnly"))
        #expect(setCookie.contains("SameSite=Strict"))
        #expect(setCookie.contains("Path=/"))
        return String(try #require(setCookie.split(separator: ";").first))
    }

    func json(_ buffer: ByteBuffer) throws -> JSONObject {
        guard case .object(let object) = try JSONParser(maxBytes: 1 << 24).parse(Array(buffer.readableBytesView)) else {
            throw CancellationError()
        }
        return object
    }

    func body(_ value: JSONValue) -> ByteBuffer { ByteBuffer(bytes: CanonicalJSON.encode(value)) }

    @Test func withoutTheTokenOrCookieNothingIsServed() async throws {
        let (face, state) = try await face()
        defer { try? FileManager.default.removeItem(atPath: state) }
        try await face.application().test(.live) { client in
            let page = try await client.execute(uri: "/", method: .get)
            #expect(page.status == .unauthorized)
            #expect(!String(buffer: page.body).contains("app.js"), "the client is not served without a session")
            let wrong = try await client.execute(uri: "/?token=nope", method: .get)
            #expect(wrong.status == .forbidden)
            #expect(wrong.headers[.setCookie] == nil)
            for path in ["/api/rooms", "/api/me", "/api/rooms/room_x/timeline"] {
                let api = try await client.execute(uri: path, method: .get)
                #expect(api.status == .unauthorized, "\(path)")
                #expect(try json(api.body)["code"]?.stringValue == "no_session")
                #expect(try json(api.body)["error"]?.stringValue?.contains("bucketchat serve") == true)
            }
            let forged = try await client.execute(uri: "/api/rooms", method: .get, headers: [.cookie: "bucketchat_session=deadbeef"])
            #expect(forged.status == .unauthorized)
            let post = try await client.execute(uri: "/api/rooms", method: .post, body: body(["name": "x"]))
            #expect(post.status == .unauthorized)
        }
        await face.stop(flushTimeout: .seconds(1))
    }

    @Test func theTokenIsExchangedForASessionCookieAndEveryResponseCarriesTheCSP() async throws {
        let (face, state) = try await face()
        defer { try? FileManager.default.removeItem(atPath: state) }
        try await face.application().test(.live) { client in
            let cookie = try await signIn(client)
            let page = try await client.execute(uri: "/rooms/room_x", method: .get, headers: [.cookie: cookie])
            #expect(page.status == .ok)
            let html = String(buffer: page.body)
            #expect(html.contains("<script type=\"module\" src=\"/app.js\"></script>"))
            #expect(!html.contains("<script>"), "no inline script")
            let csp = try #require(page.headers[.contentSecurityPolicy])
            for directive in ["default-src 'self'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'", "base-uri 'none'"] {
                #expect(csp.contains(directive))
            }
            #expect(!csp.contains("unsafe-inline"))
            #expect(page.headers[.xContentTypeOptions] == "nosniff")
            let script = try await client.execute(uri: "/app.js", method: .get)
            #expect(script.status == .ok)
            #expect(script.headers[.contentType]?.hasPrefix("text/javascript") == true)
            let me = try await client.execute(uri: "/api/me", method: .get, headers: [.cookie: cookie])
            #expect(me.status == .ok)
            #expect(try json(me.body)["sender_id"]?.stringValue == "user:alice")
            #expect(me.headers[.contentSecurityPolicy] != nil)
            // A Host that is not ours (DNS rebinding) is refused.
            let rebound = try await WebFaceTests.raw(port: face.port, "GET /api/me HTTP/1.1\r\nHost: evil.example:\(face.port)\r\nCookie: \(cookie)\r\n\r\n")
            #expect(rebound.hasPrefix("HTTP/1.1 403"), "\(rebound)")
            #expect(rebound.contains("bad_host"))
        }
        await face.stop(flushTimeout: .seconds(1))
    }

    @Test func aSentMessageShowsAtOnceAsPendingThenConfirmedAfterTheSync() async throws {
        let (face, state) = try await face()
        defer { try? FileManager.default.removeItem(atPath: state) }
        try await face.application().test(.live) { client in
            let cookie = try await signIn(client)
            let created = try await client.execute(uri: "/api/rooms", method: .post, headers: [.cookie: cookie, .contentType: "application/json"],
                                                   body: body(["name": "Plans"]))
            #expect(created.status == .ok)
            let roomID = try #require(try json(created.body)["room_id"]?.stringValue)
            let list = try json(try await client.execute(uri: "/api/rooms", method: .get, headers: [.cookie: cookie]).body)
            #expect(list["rooms"]?.arrayValue?.compactMap { $0.objectValue?["room_id"]?.stringValue }.contains(roomID) == true)

            let sent = try await client.execute(uri: "/api/rooms/\(roomID)/messages", method: .post, headers: [.cookie: cookie],
                                                body: body(["body": "<script>alert(1)</script>\u{202E}evil"]))
            #expect(sent.status == .ok)
            let ref = try #require(try json(sent.body)["ref"]?.stringValue)
            var page = try json(try await client.execute(uri: "/api/rooms/\(roomID)/timeline", method: .get, headers: [.cookie: cookie]).body)
            var entry = try #require(page["events"]?.arrayValue?.compactMap(\.objectValue).first { $0["ref"]?.stringValue == ref })
            #expect(entry["pending"]?.boolValue == true)
            // The engine's escaping: the bidi override is shown, not applied.
            #expect(entry["text"]?.stringValue == "<script>alert(1)</script>\\u{202e}evil")

            await face.roomHost.syncNow()
            try await face.roomHost.flushAll()
            await face.roomHost.syncNow()
            try await eventually {
                page = try json(try await client.execute(uri: "/api/rooms/\(roomID)/timeline", method: .get, headers: [.cookie: cookie]).body)
                return page["events"]?.arrayValue?.compactMap(\.objectValue).contains { $0["ref"]?.stringValue == ref && $0["pending"]?.boolValue == false } == true
            }
            entry = try #require(page["events"]?.arrayValue?.compactMap(\.objectValue).first { $0["ref"]?.stringValue == ref })
            #expect(entry["kind"]?.stringValue == "msg")
            #expect(entry["sender"]?.stringValue == "user:alice")
            #expect(entry["mine"]?.boolValue == true)

            // React, then take it back; edit; reply; redact: all through the engine.
            for action: JSONValue in [["action": "react", "ref": .string(ref), "reaction": "👍"],
                                      ["action": "edit", "ref": .string(ref), "body": "better"],
                                      ["action": "reply", "ref": .string(ref), "body": "in the thread"]] {
                let answer = try await client.execute(uri: "/api/rooms/\(roomID)/actions", method: .post, headers: [.cookie: cookie], body: body(action))
                #expect(answer.status == .ok, "\(String(buffer: answer.body))")
            }
            try await face.roomHost.flushAll()
            await face.roomHost.syncNow()
            try await eventually {
                page = try json(try await client.execute(uri: "/api/rooms/\(roomID)/timeline", method: .get, headers: [.cookie: cookie]).body)
                let e = page["events"]?.arrayValue?.compactMap(\.objectValue).first { $0["ref"]?.stringValue == ref }
                return e?["edited"]?.stringValue == "better" && e?["reactions"]?.arrayValue?.count == 1 && e?["replies"]?.intValue == 1
            }
            let unreact = try await client.execute(uri: "/api/rooms/\(roomID)/actions", method: .post, headers: [.cookie: cookie],
                                                   body: body(["action": "unreact", "ref": .string(ref), "reaction": "👍"]))
            #expect(unreact.status == .ok, "\(String(buffer: unreact.body))")
            let thread = try json(try await client.execute(uri: "/api/rooms/\(roomID)/thread/\(ref)", method: .get, headers: [.cookie: cookie]).body)
            #expect(thread["events"]?.arrayValue?.count == 2)
            try await face.roomHost.flushAll()
            await face.roomHost.syncNow()
            try await eventually {
                page = try json(try await client.execute(uri: "/api/rooms/\(roomID)/timeline", method: .get, headers: [.cookie: cookie]).body)
                let e = page["events"]?.arrayValue?.compactMap(\.objectValue).first { $0["ref"]?.stringValue == ref }
                return e?["reactions"] == nil
            }
        }
        await face.stop(flushTimeout: .seconds(1))
    }

    @Test func refusalsAreJSONWithTheEnginesSentence() async throws {
        let (face, state) = try await face()
        defer { try? FileManager.default.removeItem(atPath: state) }
        try await face.application().test(.live) { client in
            let cookie = try await signIn(client)
            let missing = try await client.execute(uri: "/api/rooms/room_nope/timeline", method: .get, headers: [.cookie: cookie])
            #expect(missing.status == .notFound)
            #expect(try json(missing.body)["error"]?.stringValue?.contains("room_nope") == true)
            let created = try json(try await client.execute(uri: "/api/rooms", method: .post, headers: [.cookie: cookie], body: body(["name": "R"])).body)
            let roomID = try #require(created["room_id"]?.stringValue)
            let empty = try await client.execute(uri: "/api/rooms/\(roomID)/messages", method: .post, headers: [.cookie: cookie], body: body(["body": ""]))
            #expect(empty.status == .unprocessableContent)
            #expect(try json(empty.body)["error"]?.stringValue?.contains("non-empty body") == true)
            let unknown = try await client.execute(uri: "/api/rooms/\(roomID)/actions", method: .post, headers: [.cookie: cookie], body: body(["action": "explode"]))
            #expect(unknown.status == .badRequest)
            let badRef = try await client.execute(uri: "/api/rooms/\(roomID)/actions", method: .post, headers: [.cookie: cookie],
                                                  body: body(["action": "react", "ref": "zzzzzzzzzzzz", "reaction": "x"]))
            #expect(badRef.status == .notFound)
            let notJSON = try await client.execute(uri: "/api/rooms/\(roomID)/messages", method: .post, headers: [.cookie: cookie], body: ByteBuffer(string: "hi"))
            #expect(notJSON.status == .badRequest)
            // A write from another site's page (its Origin) is refused even with the cookie.
            let crossSite = try await client.execute(uri: "/api/rooms/\(roomID)/messages", method: .post,
                                                     headers: [.cookie: cookie, .origin: "http://evil.example"], body: body(["body": "x"]))
            #expect(crossSite.status == .forbidden)
        }
        await face.stop(flushTimeout: .seconds(1))
    }

    @Test func theTimelinePagesBackwardsFromTheNewest() async throws {
        let (face, state) = try await face()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let session = try await face.roomHost.create(name: "Long")
        let bodies = (1...250).map { "message \($0)" }
        _ = try await session.sendMessages(bodies)
        // The first sync publishes the room's metadata and starts its uploads.
        await face.roomHost.syncNow()
        try await face.roomHost.flushAll()
        await face.roomHost.syncNow()
        try await face.application().test(.live) { client in
            let cookie = try await signIn(client)
            let roomID = session.roomID
            var page = JSONObject()
            try await eventually {
                page = try json(try await client.execute(uri: "/api/rooms/\(roomID)/timeline?limit=100", method: .get, headers: [.cookie: cookie]).body)
                return page["total"]?.intValue ?? 0 >= 251
            }
            var texts: [String] = page["events"]?.arrayValue?.compactMap { $0.objectValue?["text"]?.stringValue } ?? []
            #expect(texts.count == 100)
            #expect(texts.last == "message 250")
            #expect(page["more"]?.boolValue == true)
            var all = texts
            var pages = 1
            while let before = page["before"]?.stringValue, pages < 10 {
                pages += 1
                page = try json(try await client.execute(uri: "/api/rooms/\(roomID)/timeline?limit=100&before=\(before)", method: .get,
                                                         headers: [.cookie: cookie]).body)
                texts = page["events"]?.arrayValue?.compactMap { $0.objectValue?["text"]?.stringValue } ?? []
                all = texts + all
            }
            #expect(all.filter { $0.hasPrefix("message ") } == bodies, "every message once, in order")
            let bad = try await client.execute(uri: "/api/rooms/\(roomID)/timeline?before=nothere", method: .get, headers: [.cookie: cookie])
            #expect(bad.status == .notFound)
        }
        await face.stop(flushTimeout: .seconds(1))
    }

    @Test func theWebSocketNeedsTheCookieAndOurOwnOrigin() async throws {
        let (face, state) = try await face()
        defer { try? FileManager.default.removeItem(atPath: state) }
        try await face.application().test(.live) { client in
            let cookie = try await signIn(client)
            let port = face.port
            let upgrade = { (headers: String) async throws -> String in
                let lines = ["GET /api/live HTTP/1.1", "Host: 127.0.0.1:\(port)", "Upgrade: websocket", "Connection: Upgrade",
                             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13", headers]
                return try await WebFaceTests.raw(port: port, lines.joined(separator: "\r\n") + "\r\n\r\n")
            }
            let foreign = try await upgrade("Cookie: \(cookie)\r\nOrigin: http://evil.example")
            #expect(foreign.hasPrefix("HTTP/1.1 403"), "\(foreign)")
            #expect(foreign.contains("bad_origin"))
            let anonymous = try await upgrade("Origin: http://127.0.0.1:\(port)")
            #expect(anonymous.hasPrefix("HTTP/1.1 401"), "\(anonymous)")
            let ours = try await upgrade("Cookie: \(cookie)\r\nOrigin: http://127.0.0.1:\(port)")
            #expect(ours.hasPrefix("HTTP/1.1 101"), "\(ours)")
        }
        await face.stop(flushTimeout: .seconds(1))
    }

    /// ``rawRequest(port:_:)`` on a thread of its own: its blocking reads
    /// must not hold one of the few threads the server's async code runs on.
    static func raw(port: Int, _ text: String) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try rawRequest(port: port, text) }) }.start()
        }
    }

    /// Sends raw bytes and returns what came back: the head of a 101, or a head and a JSON body (30 s at most).
    static func rawRequest(port: Int, _ text: String) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw CancellationError() }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw CancellationError() }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            received += buffer[0..<n]
            let so = String(decoding: received, as: UTF8.self)
            if so.hasPrefix("HTTP/1.1 101"), so.contains("\r\n\r\n") { break }
            if let end = so.range(of: "\r\n\r\n"), so[end.upperBound...].contains("}") { break }
        }
        return String(decoding: received, as: UTF8.self)
    }

    func eventually(seconds: Double = 10, _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(Bool(false), "condition not met in \(seconds) s")
    }
}
