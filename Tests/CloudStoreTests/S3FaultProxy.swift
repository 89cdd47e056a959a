import CloudHTTP
import Foundation

/// scripts/fault_proxy.py in front of a shared test server (moto, where
/// SigV4 and the writer's policy still apply since requests are forwarded
/// byte for byte; or fake-gcs-server): once told, it cuts off the requests
/// whose path holds a given text, as an outage would.
final class S3FaultProxy: @unchecked Sendable {
    let process = Process()
    let endpoint: String
    private let portPath = NSTemporaryDirectory() + "bucketchat-s3-fault-proxy-\(UUID().uuidString).port"

    init(upstream: String) async throws {
        guard let upstreamPort = URLComponents(string: upstream)?.port else {
            throw ProcessFailure(description: "no port in upstream \(upstream)")
        }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts/fault_proxy.py").path
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, String(upstreamPort), portPath]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The port comes through a file: Foundation's pipe reads trap on EINTR.
        var port: Int?
        for _ in 0..<300 where port == nil {
            let text = (try? String(contentsOfFile: portPath, encoding: .utf8)) ?? ""
            if text.hasSuffix("\n") { port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) }
            if port == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        guard let port else {
            kill(process.processIdentifier, SIGKILL)
            throw ProcessFailure(description: "fault proxy did not report its port within 15 s")
        }
        endpoint = "http://127.0.0.1:\(port)"
    }

    deinit {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: portPath)
    }

    /// Resets the connection of every request (of `method`) whose path holds
    /// `path`, until `heal()`: the server is unreachable for those.
    func cut(method: String, path: String) async throws {
        try await configure(#"{"rules": [{"method": "\#(method)", "path": "\#(path)", "fault": "reset_before", "count": 1000000}]}"#)
    }

    /// Applies `fault` (a scripts/fault_proxy.py kind) to the next `count`
    /// requests of `method` whose path holds `path`.
    func rule(method: String, path: String, fault: String, count: Int) async throws {
        try await configure(#"{"rules": [{"method": "\#(method)", "path": "\#(path)", "fault": "\#(fault)", "count": \#(count)}]}"#)
    }

    /// How many requests got `fault` so far.
    func injected(_ fault: String) async throws -> Int {
        let response = try await HTTPClient(retry: RetryPolicy(maxAttempts: 3)).send(HTTPRequest(method: "GET", url: endpoint + "/__faults/stats"),
                                                                                     what: "reading the fault proxy's counts")
        struct Stats: Decodable { let faults: [String: Int] }
        return try JSONDecoder().decode(Stats.self, from: response.body).faults[fault] ?? 0
    }

    func heal() async throws { try await configure(#"{"rules": []}"#) }

    private func configure(_ json: String) async throws {
        let request = HTTPRequest(method: "POST", url: endpoint + "/__faults/config",
                                  headers: [(name: "Content-Type", value: "application/json")], body: Data(json.utf8))
        let response = try await HTTPClient(retry: RetryPolicy(maxAttempts: 3)).send(request, what: "configuring the fault proxy")
        guard response.status == 200 else { throw ProcessFailure(description: "fault proxy refused \(json): \(response.bodySnippet)") }
    }
}
