import Foundation

/// A loopback HTTP server (Fixtures/scripted_server.py) that answers from a
/// script and records what it was sent, for testing retries and edge cases
/// that real servers will not produce on demand.
final class ScriptedServer {
    struct Answer: Encodable {
        var status: Int
        var body = ""
        var headers: [String: String] = [:]
    }

    struct Request: Decodable {
        let method: String
        let path: String
        let headers: [String: String]
        let body: String
    }

    let process = Process()
    let logPath = NSTemporaryDirectory() + "bucketchat-scripted-\(UUID().uuidString).jsonl"
    let endpoint: String

    init(_ answers: [Answer]) throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/scripted_server.py").path
        let json = String(decoding: try JSONEncoder().encode(answers), as: UTF8.self)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, json, logPath]
        // The port is read from a file, not a pipe: Foundation's FileHandle
        // reads trap on EINTR, which other tests' SIGCHLDs cause.
        let portPath = logPath + ".port"
        _ = FileManager.default.createFile(atPath: portPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: portPath) }
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: portPath))
        process.standardError = FileHandle.nullDevice
        try process.run()
        var port: Int?
        for _ in 0..<200 where port == nil {
            let text = (try? String(contentsOfFile: portPath, encoding: .utf8)) ?? ""
            if text.hasSuffix("\n") { port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) }
            if port == nil { usleep(50_000) }
        }
        guard let port else {
            throw ProcessFailure(description: "scripted server did not report a port")
        }
        endpoint = "http://127.0.0.1:\(port)"
    }

    /// What the server was sent so far, in order.
    func requests() throws -> [Request] {
        guard let text = try? String(contentsOfFile: logPath, encoding: .utf8) else { return [] }
        return try text.split(separator: "\n").map { try JSONDecoder().decode(Request.self, from: Data($0.utf8)) }
    }

    deinit {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: logPath)
    }
}
