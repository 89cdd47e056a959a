import ArgumentParser
import ChatEngine
import ChatProtocol
import Foundation
import Synchronization
import WebFace

/// `bucketchat serve`: the rooms of this identity as a live chat in the browser.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Chat in the browser: a local web client over your rooms, live over a WebSocket.",
        discussion: """
            Prints one line first, the URL to open with a fresh access token \
            (http://127.0.0.1:8719/?token=...), then logs. The token is exchanged for a session \
            cookie; keys never leave this process (docs/web.md).

            Like a mount, serve owns this identity's rooms in the store while it runs: other \
            bucketchat commands of the same identity act through it. It refuses to start while a \
            mount (or another serve) of the same identity and store runs: stop that one first. \
            Ctrl-C (SIGINT) or SIGTERM stops it after uploading what is journaled.
            """
    )

    @Option(help: ArgumentHelp("The address to listen on. Anything but loopback lets other machines reach the login page: give it only on purpose.", valueName: "address"))
    var host = "127.0.0.1"

    @Option(help: ArgumentHelp("The port to listen on (0: any free port).", valueName: "port"))
    var port = 8719

    @Flag(help: "Open the URL in the default browser (xdg-open).")
    var open = false

    @OptionGroup var trust: TrustOptions
    @OptionGroup var storeOptions: StoreOptions

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port takes 0 to 65535") }
    }

    static func isLoopback(_ host: String) -> Bool {
        let h = host.lowercased()
        return h == "localhost" || h == "::1" || h == "[::1]" || h.hasPrefix("127.")
    }

    func run() async throws {
        let client = try await Client.load(storeOptions)
        for file in trust.files { _ = try TrustedKeys.load(file) }
        // One owner per identity and store: said at once, before anything opens.
        if let owner = RoomHostClient.find(stateFolder: client.stateFolder), let hello = try? owner.request(JSONObject([("op", "hello")])) {
            let where_ = hello["mountpoint"]?.stringValue.map { " (\($0))" } ?? ""
            throw CLIError("\(client.identity.senderID)'s rooms in \(client.location) are already owned by bucketchat pid \(hello["pid"]?.intValue ?? 0)\(where_): stop it first (`bucketchat umount MOUNTPOINT`, or Ctrl-C the other serve); serve and a mount of one identity cannot run at once")
        }
        try Paths.makePrivateDirectory(Paths.stateDirectory)
        if !Serve.isLoopback(host) {
            Output.warn("listening on \(host), not loopback: anyone who can reach this address gets the login page (the token still guards it, over plain HTTP). Prefer an SSH tunnel to 127.0.0.1.")
        }
        // The URL is the first line: what is logged before it waits for it.
        let output = ServeOutput()
        let log: @Sendable (String) -> Void = { message in
            let time = ISO8601DateFormatter().string(from: Date())
            output.write("\(time) bucketchat serve: \(TimelineLine.escape(message))\n")
        }
        let configuration = client.ownerConfiguration(trustFiles: trust.files, discoveryMs: 5_000, log: log)
        let roomHost = RoomHost(configuration: configuration)
        let face = WebFace(host: roomHost, configuration: WebFace.Configuration(host: host, port: port, log: log))
        await face.start()
        // Other processes of this identity (CLI commands) act through this one.
        let server = try RoomHostServer(host: roomHost, about: JSONObject([("mountpoint", .string("bucketchat serve on \(host)"))]))
        server.start()
        let openBrowser = open
        let serving = "serving \(client.location) as \(client.identity.senderID); Ctrl-C stops"
        do {
            try await face.run { _ in
                // The one line a script reads first: the URL with the token.
                output.first("\(face.startURL)\n")
                log(serving)
                if openBrowser { Serve.openInBrowser(face.startURL) }
            }
        } catch {
            server.stop()
            await face.stop()
            throw CLIError("cannot serve on \(host):\(port): \(error)")
        }
        log("stopping; uploading what is journaled")
        server.stop()
        await face.stop()
        log("stopped")
    }

    static func openInBrowser(_ url: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["xdg-open", url]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try? process.run()
    }
}

/// Serve's stdout: the start URL first, then the log lines (those written
/// before the server listens are held until the URL is out).
final class ServeOutput: Sendable {
    private let held = Mutex<[String]?>([])

    func write(_ line: String) {
        let now: Bool = held.withLock { lines in
            guard lines != nil else { return true }
            lines?.append(line)
            return false
        }
        if now { FileHandle.standardOutput.write(Data(line.utf8)) }
    }

    func first(_ line: String) {
        let earlier = held.withLock { lines in
            defer { lines = nil }
            return lines ?? []
        }
        FileHandle.standardOutput.write(Data((line + earlier.joined()).utf8))
    }
}
