import CloudHTTP
import Foundation

/// scripts/fault_proxy.py in front of an S3 server: forwards requests byte for
/// byte (SigV4 still verifies) and injects faults from a seeded schedule or
/// per-request rules. Killed when released.
final class FaultProxy: @unchecked Sendable {
    /// What the proxy saw and did.
    struct Stats: Decodable {
        let requests: Int
        let forwarded: Int
        let faults: [String: Int]
        let methods: [String: Int]

        var injected: Int { faults.filter { $0.key != "delay" }.values.reduce(0, +) }

        /// `kind=count` pairs in a stable order, for printed figures.
        var summary: String {
            faults.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        }
    }

    /// A fault for the next `count` requests with this method whose path holds `path`.
    struct Rule: Encodable {
        var method: String?
        var path: String?
        var fault: String
        var count = 1
    }

    private struct Config: Encodable {
        var rates: [String: Double]?
        var rules: [Rule]?
        var seed: Int?
        var date_offset_s: Double?
        var max_skew_s: Double??

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encodeIfPresent(rates, forKey: .rates)
            try container.encodeIfPresent(rules, forKey: .rules)
            try container.encodeIfPresent(seed, forKey: .seed)
            try container.encodeIfPresent(date_offset_s, forKey: .date_offset_s)
            // Some(nil) turns the skew check off: encode it as an explicit null.
            if let skew = max_skew_s { try container.encode(skew, forKey: .max_skew_s) }
        }

        enum CodingKeys: String, CodingKey { case rates, rules, seed, date_offset_s, max_skew_s }
    }

    /// Every kind the proxy knows, as in scripts/fault_proxy.py.
    static let kinds = ["drop_before", "reset_before", "delay", "error_500", "error_503", "slow_down",
                        "lost_response", "error_after", "truncate"]

    let process = Process()
    let endpoint: String
    private let portPath = NSTemporaryDirectory() + "bucketchat-fault-proxy-\(UUID().uuidString).port"

    /// Starts a proxy to `upstream` (`http://127.0.0.1:PORT`) with no faults.
    init(upstream: String, seed: Int = 1) async throws {
        guard let upstreamPort = URLComponents(string: upstream)?.port else {
            throw ProxyFailure(description: "no port in upstream \(upstream)")
        }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts/fault_proxy.py").path
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, String(upstreamPort), portPath, "--seed", String(seed)]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The port comes through a file, not a pipe: Foundation's pipe reads
        // trap on EINTR, which other tests' SIGCHLDs cause.
        var port: Int?
        for _ in 0..<300 where port == nil {
            let text = (try? String(contentsOfFile: portPath, encoding: .utf8)) ?? ""
            if text.hasSuffix("\n") { port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) }
            if port == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        guard let port else {
            kill(process.processIdentifier, SIGKILL)
            throw ProxyFailure(description: "fault proxy did not report its port within 15 s")
        }
        endpoint = "http://127.0.0.1:\(port)"
    }

    deinit {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: portPath)
    }

    /// Sets the random schedule: each request draws one kind with these probabilities.
    func setRates(_ rates: [String: Double], seed: Int? = nil) async throws {
        try await configure(Config(rates: rates, seed: seed))
    }

    /// Replaces the per-request rules; they apply before the random schedule.
    func setRules(_ rules: [Rule]) async throws {
        try await configure(Config(rules: rules))
    }

    /// Skews the store's clock: answers carry `Date` this many seconds off, and,
    /// like S3, requests signed further than `maxSkew` seconds from it are refused.
    func setStoreClock(offsetSeconds: Double, maxSkewSeconds: Double?) async throws {
        try await configure(Config(date_offset_s: offsetSeconds, max_skew_s: .some(maxSkewSeconds)))
    }

    func stats() async throws -> Stats {
        try JSONDecoder().decode(Stats.self, from: try await control("GET", "stats", body: Data()))
    }

    private func configure(_ config: Config) async throws {
        _ = try await control("POST", "config", body: try JSONEncoder().encode(config))
    }

    private func control(_ method: String, _ path: String, body: Data) async throws -> Data {
        let client = HTTPClient(retry: RetryPolicy(maxAttempts: 1))
        let request = HTTPRequest(method: method, url: "\(endpoint)/__faults/\(path)", headers: [(name: "Content-Type", value: "application/json")], body: body)
        switch await client.sendOnce(request) {
        case .success(let response) where response.status == 200:
            return response.body
        case .success(let response):
            throw ProxyFailure(description: "fault proxy answered \(response.status): \(String(decoding: response.body, as: UTF8.self))")
        case .failure(let failure):
            throw ProxyFailure(description: "fault proxy unreachable: \(failure)")
        }
    }
}
