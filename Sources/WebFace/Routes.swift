import ChatEngine
import ChatProtocol
import Foundation
import Hummingbird
import NIOCore

/// The pages, the assets and the JSON API (docs/web.md, "API").
extension WebFace {
    func routes(_ router: Router<BasicRequestContext>) {
        let gate = self.gate
        // Pages: the token exchange, then the client for / and /rooms/{id}.
        router.get("/") { request, _ in WebFace.page(request, gate: gate) }
        router.get("/rooms/:room") { request, _ in WebFace.page(request, gate: gate) }
        for (path, asset) in WebAssets.files where path != "/index.html" {
            router.get(RouterPath(path)) { _, _ in
                var response = Responses.bytes(asset.bytes, contentType: asset.contentType)
                response.headers[.cacheControl] = "no-cache"
                return response
            }
        }

        let api = router.group("api")
        api.add(middleware: SessionRequired<BasicRequestContext>(gate: gate))
        api.get("live") { request, _ in
            // Reached only when the upgrade was refused (or this is no upgrade at all).
            let refusal = gate.refusal(cookie: request.headers[.cookie], origin: request.headers[.origin], host: request.head.authority)
            return Responses.error(refusal ?? FaceError(.badRequest, "/api/live is a WebSocket: connect with an upgrade", code: "not_websocket"))
        }
        api.get("me") { _, _ in
            let c = self.roomHost.configuration
            return Responses.json(.object(JSONObject([
                ("sender_id", .string(TimelineLine.escape(c.identity.senderID))),
                ("display_name", EntryRendering.text(c.displayName.map { TimelineLine.escape($0) })),
                ("public_key", .string(c.identity.key.publicKey.base64)), ("client_id", .string(c.identity.clientID)),
                ("store", .string(TimelineLine.escape(c.store.locationDescription))),
            ])))
        }
        api.get("rooms") { _, _ in Responses.json(.object(JSONObject([("rooms", await self.rooms.roomList)]))) }
        api.post("rooms") { request, _ in
            try await self.answer(request) { body in
                guard let name = body["name"]?.stringValue, !name.isEmpty else { throw FaceError(.badRequest, "a room needs a name", code: "bad_request") }
                let session: RoomSession
                do {
                    session = try await self.roomHost.create(name: name, description: body["topic"]?.stringValue ?? "",
                                                             joinRule: body["public"]?.boolValue == true ? .public : .invite)
                } catch let error as EngineError {
                    throw FaceError(error)
                }
                await self.rooms.opened(session, metadataPending: true, name: name)
                await self.rooms.showPending(await session.outbox.pendingEvents, in: session.roomID)
                return .object(JSONObject([("room_id", .string(session.roomID))]))
            }
        }
        api.get("rooms/:room/timeline") { request, context in
            try await self.answer(request, room: context) { roomID, _ in
                let limit = min(max(request.uri.queryParameters.get("limit", as: Int.self) ?? 100, 1), 1000)
                return try await self.rooms.timeline(roomID, before: request.uri.queryParameters.get("before"), limit: limit)
            }
        }
        api.get("rooms/:room/thread/:ref") { request, context in
            try await self.answer(request, room: context) { roomID, _ in
                try await self.rooms.thread(roomID, ref: context.parameters.get("ref") ?? "")
            }
        }
        api.get("rooms/:room/members") { request, context in
            try await self.answer(request, room: context) { roomID, _ in try await self.rooms.members(roomID) }
        }
        api.get("rooms/:room/state") { request, context in
            try await self.answer(request, room: context) { roomID, _ in try await self.rooms.state(roomID) }
        }
        api.get("rooms/:room/alerts") { request, context in
            try await self.answer(request, room: context) { roomID, _ in try await self.rooms.alerts(roomID) }
        }
        api.post("rooms/:room/read") { request, context in
            try await self.answer(request, room: context) { roomID, body in
                try await self.rooms.markRead(roomID, ref: body["ref"]?.stringValue)
            }
        }
        api.post("rooms/:room/messages") { request, context in
            try await self.answer(request, room: context) { roomID, body in
                guard let text = body["body"]?.stringValue else { throw FaceError(.badRequest, "a message needs a body", code: "bad_request") }
                let msgtype = body["msgtype"]?.stringValue ?? "m.text"
                guard ["m.text", "m.emote", "m.notice"].contains(msgtype) else {
                    throw FaceError(.badRequest, "msgtype is m.text, m.emote or m.notice (files go to /files)", code: "bad_request")
                }
                return try await self.act(roomID, [.send(MessageContent(body: text, msgtype: msgtype), replyTo: body["reply_to"]?.stringValue)])
            }
        }
        api.post("rooms/:room/actions") { request, context in
            try await self.answer(request, room: context) { roomID, body in
                try await self.action(roomID, body)
            }
        }
        for verb in ["join", "leave", "invite", "typing"] {
            api.post(RouterPath("rooms/:room/\(verb)")) { request, context in
                try await self.answer(request, room: context) { roomID, body in
                    var body = body
                    body["action"] = .string(verb)
                    return try await self.action(roomID, body)
                }
            }
        }
        api.post("rooms/:room/files") { request, context in
            try await self.upload(request, context: context)
        }
        api.get("rooms/:room/files/:ref") { request, context in
            try await self.download(request, context: context)
        }
    }

    /// The page for `/` and `/rooms/{id}`: exchanges `?token=` for the
    /// session cookie (303 to the same path without it), serves the client to
    /// a session, and says how to get in to anyone else.
    static func page(_ request: Request, gate: AccessGate) -> Response {
        if let given = request.uri.queryParameters.get("token") {
            guard gate.tokenMatches(given) else {
                return Responses.html(Pages.message("Wrong token", "This token does not open this server. Use the URL <code>bucketchat serve</code> printed."), status: .forbidden)
            }
            var headers = HTTPFields()
            headers[.location] = request.uri.path
            headers[.setCookie] = AccessGate.setCookie(gate.openSession())
            return Response(status: .seeOther, headers: headers)
        }
        guard gate.session(cookieHeader: request.headers[.cookie]) != nil else {
            return Responses.html(Pages.message("Sign in with the start URL", "Open the URL <code>bucketchat serve</code> printed when it started (it carries the access token); this browser then keeps a session."), status: .unauthorized)
        }
        let index = WebAssets.files["/index.html"]!
        return Responses.bytes(index.bytes, contentType: index.contentType)
    }

    /// Runs an API handler: a JSON body in (if any), JSON out, errors as JSON.
    func answer(_ request: Request, _ handler: (JSONObject) async throws -> JSONValue) async throws -> Response {
        do {
            var request = request
            let bytes = try await request.collectBody(upTo: 1 << 20)
            var body = JSONObject()
            if bytes.readableBytes > 0 {
                guard case .object(let object)? = try? JSONParser(maxBytes: 1 << 20).parse(Array(bytes.readableBytesView)) else {
                    throw FaceError(.badRequest, "the request body must be one JSON object", code: "bad_request")
                }
                body = object
            }
            return Responses.json(try await handler(body))
        } catch let error as FaceError {
            return Responses.error(error)
        } catch let error as EngineError {
            return Responses.error(FaceError(error))
        }
    }

    /// As ``answer(_:_:)``, for a room of the path (`:room`), which must be open.
    func answer(_ request: Request, room context: BasicRequestContext,
                _ handler: (String, JSONObject) async throws -> JSONValue) async throws -> Response {
        try await answer(request) { body in
            let roomID = context.parameters.get("room") ?? ""
            guard await self.rooms.exists(roomID) else { throw FaceError.noRoom(roomID) }
            return try await handler(roomID, body)
        }
    }

    /// Performs actions in a room through its session (the engine checks
    /// every rule) and shows the new events at once as pending.
    func act(_ roomID: String, _ actions: [RoomAction]) async throws -> JSONValue {
        guard let session = await rooms.session(roomID) else { throw FaceError.noRoom(roomID) }
        var refs: [JSONValue] = []
        var events: [Event] = []
        for action in actions {
            do {
                let event = try await session.act(action)
                events.append(event)
                refs.append(.string(EventReference.short(event.eventID)))
            } catch {
                await rooms.showPending(events, in: roomID)
                throw FaceError(error)
            }
        }
        await rooms.showPending(events, in: roomID)
        return .object(JSONObject([("refs", .array(refs)), ("ref", refs.first ?? .null)]))
    }

    /// `POST /api/rooms/{id}/actions`: `{"action": NAME, ...}` as the mount's
    /// ctl file and the CLI take them (docs/web.md lists the fields).
    func action(_ roomID: String, _ body: JSONObject) async throws -> JSONValue {
        func field(_ name: String) throws -> String {
            guard let value = body[name]?.stringValue, !value.isEmpty else {
                throw FaceError(.badRequest, "action \(body["action"]?.stringValue ?? "?") needs \"\(name)\"", code: "bad_request")
            }
            return value
        }
        let reason = body["reason"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        switch body["action"]?.stringValue {
        case "react": return try await act(roomID, [.react(reference: try field("ref"), reaction: try field("reaction"))])
        case "unreact":
            // Taking a reaction back is redacting it: the engine's state names
            // this identity's reactions that still count.
            guard let session = await rooms.session(roomID) else { throw FaceError.noRoom(roomID) }
            let reference = try field("ref"), reaction = try field("reaction")
            let target: String
            do { target = try await session.resolve(reference) } catch { throw FaceError(error) }
            let state = await session.sync.verification.state
            let mine = state.reactionEvents(to: target, reaction: reaction, by: roomHost.configuration.identity.senderID)
            guard !mine.isEmpty else {
                throw FaceError(.notFound, "you have no \(TimelineLine.escape(reaction)) reaction on \(TimelineLine.escape(reference)) to take back", code: "not_found")
            }
            return try await act(roomID, mine.map { .redact(reference: $0, reason: nil) })
        case "reply":
            return try await act(roomID, [.send(MessageContent(body: try field("body")), replyTo: try field("ref"))])
        case "edit": return try await act(roomID, [.edit(reference: try field("ref"), body: try field("body"))])
        case "redact": return try await act(roomID, [.redact(reference: try field("ref"), reason: reason)])
        case "name": return try await act(roomID, [.setName(try field("name"))])
        case "topic": return try await act(roomID, [.setTopic(body["topic"]?.stringValue ?? "")])
        case "kick": return try await act(roomID, [.kick(userID: try field("user_id"), reason: reason)])
        case "ban": return try await act(roomID, [.ban(userID: try field("user_id"), reason: reason)])
        case "invite":
            var key: PublicKey?
            if let text = body["key"]?.stringValue, !text.isEmpty {
                guard let parsed = PublicKey(base64: text) else {
                    throw FaceError(.badRequest, "key is not a base64 Ed25519 public key", code: "bad_request")
                }
                key = parsed
            }
            return try await act(roomID, [.invite(userID: try field("user_id"), key: key, displayName: body["display_name"]?.stringValue)])
        case "join": return try await act(roomID, [.join(displayName: roomHost.configuration.displayName)])
        case "leave": return try await act(roomID, [.leave])
        case "typing": return try await act(roomID, [.typing(body["typing"]?.boolValue ?? true)])
        case let other:
            throw FaceError(.badRequest, "unknown action \(other.map { TimelineLine.escape($0) } ?? "(none)"): react, unreact, reply, edit, redact, name, topic, kick, ban, invite, join, leave, typing", code: "bad_request")
        }
    }
}

/// The API needs a session: without our cookie, 401 and what to do.
struct SessionRequired<Context: RequestContext>: RouterMiddleware {
    let gate: AccessGate

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard gate.session(cookieHeader: request.headers[.cookie]) != nil else {
            return Responses.error(FaceError(.unauthorized, "no session: open the URL `bucketchat serve` printed (with its token) first", code: "no_session"))
        }
        // A write must come from our own pages: SameSite=Strict already keeps
        // other sites' cookies off, and a present Origin must be ours too.
        if request.method != .get, let origin = request.headers[.origin], let host = request.head.authority,
           origin.lowercased() != "http://" + host.lowercased() {
            return Responses.error(FaceError(.forbidden, "Origin \(TimelineLine.escape(origin)) is not this server's own", code: "bad_origin"))
        }
        return try await next(request, context)
    }
}

enum Pages {
    /// A static page (no script) for those without a session.
    static func message(_ title: String, _ html: String) -> String {
        """
        <!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">\
        <title>bucketchat: \(title)</title><link rel="stylesheet" href="/style.css"></head>\
        <body class="gate"><main><h1>\(title)</h1><p>\(html)</p></main></body></html>
        """
    }
}
