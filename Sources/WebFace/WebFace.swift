import ChatEngine
import ChatProtocol
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOHTTP1

/// `bucketchat serve`: a local web face over a ``RoomHost``.
///
/// It serves the browser client (web/, embedded in the binary), a JSON API
/// over the host's rooms and one WebSocket per page carrying every open
/// room's updates. Keys stay in this process: the browser only ever gets
/// rendered, escaped text. Access is by the token printed at start,
/// exchanged for an HttpOnly, SameSite=Strict session cookie (docs/web.md).
public final class WebFace: Sendable {
    public struct Configuration: Sendable {
        /// Where to listen. Anything but loopback is the caller's explicit choice.
        public var host: String
        /// 0: any free port (tests).
        public var port: Int
        /// Where the face's log lines go.
        public var log: @Sendable (String) -> Void
        /// A fixed access token (tests); nil: a fresh random one.
        public var token: String?

        public init(host: String = "127.0.0.1", port: Int = 8719, token: String? = nil, log: @escaping @Sendable (String) -> Void = { _ in }) {
            self.host = host
            self.port = port
            self.token = token
            self.log = log
        }
    }

    public let roomHost: RoomHost
    public let configuration: Configuration
    let rooms: FaceRooms
    let gate: AccessGate

    public init(host: RoomHost, configuration: Configuration) {
        roomHost = host
        self.configuration = configuration
        rooms = FaceRooms(host: host, log: configuration.log)
        gate = AccessGate(bindHost: configuration.host, token: configuration.token)
    }

    /// The access token (the `token` query parameter of the start URL).
    public var token: String { gate.token }

    /// The port the server listens on, once it does (0 before).
    public var port: Int { gate.listeningPort }

    /// The URL to open: the face's address with the access token.
    public var startURL: String {
        let host = configuration.host.contains(":") && !configuration.host.hasPrefix("[") ? "[\(configuration.host)]" : configuration.host
        return "http://\(host):\(port)/?token=\(token)"
    }

    /// Starts the host's rooms and watches each as it opens. With
    /// `background`, the host syncs, uploads and discovers on its own.
    public func start(background: Bool = true) async {
        let rooms = self.rooms
        await roomHost.start(background: background) { event in
            switch event {
            case .opened(let session, let pending):
                Task { await rooms.opened(session, metadataPending: pending) }
            case .metadataPublished(let roomID):
                Task { await rooms.metadataPublished(roomID, error: nil) }
            case .metadataFailed(let roomID, let message):
                Task { await rooms.metadataPublished(roomID, error: message) }
            case .synced:
                // Views arrive through RoomHost.views(of:), in order, per room.
                break
            }
        }
    }

    /// Stops the pages' live streams, then the host (flushing the journals).
    public func stop(flushTimeout: Duration = .seconds(10)) async {
        await rooms.stop()
        await roomHost.stop(flushTimeout: flushTimeout)
    }

    /// The Hummingbird application: router, WebSocket upgrade, bind address.
    /// `onListening` is called with the port once the server listens.
    public func application(onListening: @escaping @Sendable (Int) -> Void = { _ in }) -> some ApplicationProtocol {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: SecurityHeaders<BasicRequestContext>(gate: gate))
        routes(router)
        let gate = self.gate
        let rooms = self.rooms
        var logger = Logger(label: "bucketchat.serve")
        logger.logLevel = .warning
        return Application(
            router: router,
            server: .http1WebSocketUpgrade { request, channel, _ in
                guard let path = request.path, path == "/api/live" || path.hasPrefix("/api/live?") else { return .dontUpgrade }
                if let refusal = gate.refusal(cookie: request.headerFields[.cookie], origin: request.headerFields[.origin],
                                              host: request.authority) {
                    // Hummingbird answers a refused upgrade with a bare 400:
                    // the reason (401 or 403, as JSON) is written here first.
                    await WebFace.refuseUpgrade(refusal, on: channel)
                    return .dontUpgrade
                }
                return .upgrade([:]) { inbound, outbound, _ in
                    let (id, stream) = await rooms.subscribe()
                    do {
                        try await withThrowingTaskGroup(of: Void.self) { group in
                            group.addTask {
                                // The page sends nothing that matters; its close ends the stream.
                                for try await _ in inbound.messages(maxSize: 1 << 16) {}
                            }
                            group.addTask {
                                for await text in stream { try await outbound.write(.text(text)) }
                            }
                            _ = try await group.next()
                            group.cancelAll()
                        }
                    } catch {}
                    await rooms.unsubscribe(id)
                }
            },
            configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                gate.listening(on: port)
                onListening(port)
            },
            logger: logger
        )
    }

    /// Serves until SIGINT or SIGTERM, then stops the host.
    public func run(onListening: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        let app = application(onListening: onListening)
        try await app.runService()
    }
}

extension WebFace {
    /// Answers a WebSocket upgrade that is refused (no session, foreign
    /// Origin or Host) with its status and reason, then closes the connection.
    static func refuseUpgrade(_ error: FaceError, on channel: any Channel) async {
        let body = CanonicalJSON.encode(error.json)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
        headers.add(name: "Content-Length", value: String(body.count))
        headers.add(name: "Connection", value: "close")
        headers.add(name: "Content-Security-Policy", value: SecurityPolicy.contentSecurityPolicy)
        headers.add(name: "X-Content-Type-Options", value: "nosniff")
        headers.add(name: "Cache-Control", value: "no-store")
        let status: HTTPResponseStatus = error.status == .unauthorized ? .unauthorized : .forbidden
        let head = HTTPResponseHead(version: .http1_1, status: status, headers: headers)
        try? await channel.writeAndFlush(HTTPServerResponsePart.head(head)).get()
        try? await channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(bytes: body)))).get()
        try? await channel.writeAndFlush(HTTPServerResponsePart.end(nil)).get()
        try? await channel.close().get()
    }
}

enum SecurityPolicy {
    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"
}

/// Every response: a strict Content-Security-Policy (only this server's own
/// scripts, styles and connections; no inline script; no framing), no MIME
/// sniffing, no referrer; and every request must name this server as its
/// Host (so a page of another site cannot reach it by DNS rebinding).
struct SecurityHeaders<Context: RequestContext>: RouterMiddleware {
    let gate: AccessGate

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        if !gate.hostAllowed(request.head.authority) {
            response = Responses.json(FaceError(.forbidden, "this server answers only to its own address (Host \(TimelineLine.escape(request.head.authority ?? "(none)")) refused)", code: "bad_host").json, status: .forbidden)
        } else {
            do {
                response = try await next(request, context)
            } catch let error as HTTPError {
                response = Responses.json(FaceError(.notFound, error.body ?? "\(error.status)", code: "http").json, status: error.status)
            } catch {
                response = Responses.json(FaceError(.badRequest, "the request failed: \(TimelineLine.escape(String(describing: error)))", code: "failed").json,
                                          status: .internalServerError)
            }
        }
        response.headers[.contentSecurityPolicy] = SecurityPolicy.contentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        response.headers[HTTPField.Name("Cross-Origin-Opener-Policy")!] = "same-origin"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }
}

enum Responses {
    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: CanonicalJSON.encode(value))))
    }

    static func error(_ error: FaceError) -> Response {
        let status: HTTPResponse.Status
        switch error.status {
        case .badRequest: status = .badRequest
        case .unauthorized: status = .unauthorized
        case .forbidden: status = .forbidden
        case .notFound: status = .notFound
        case .conflict: status = .conflict
        case .tooLarge: status = .contentTooLarge
        case .unprocessable: status = .unprocessableContent
        case .unavailable: status = .serviceUnavailable
        }
        return json(error.json, status: status)
    }

    static func bytes(_ bytes: [UInt8], contentType: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func html(_ text: String, status: HTTPResponse.Status) -> Response {
        bytes(Array(text.utf8), contentType: "text/html; charset=utf-8", status: status)
    }
}
