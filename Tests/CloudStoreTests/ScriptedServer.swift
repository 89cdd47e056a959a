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
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while let byte = try pipe.fileHandleForReading.read(upToCount: 1), let first = byte.first, first != UInt8(ascii: "\n") {
            line.append(first)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
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
