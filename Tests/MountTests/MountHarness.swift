import CloudHTTP
import Foundation
import S3Store
import Testing

/// Real mounts of the built `bucketchat`: identities in separate
/// BUCKETCHAT_HOMEs, mounts in unique temporary folders, each unmounted
/// (lazily if need be) and its daemon stopped when the test ends, even on
/// failure. Every wait has a deadline.
final class MountHarness: @unchecked Sendable {
    static let products: URL = {
        var url = Bundle.main.bundleURL
        if url.pathExtension == "xctest" { url.deleteLastPathComponent() }
        return url
    }()

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var canMount: Bool {
        FileManager.default.isReadableFile(atPath: "/dev/fuse") && FileManager.default.isExecutableFile(atPath: "/usr/bin/fusermount3")
    }

    let root: URL
    let store: String
    let extraEnvironment: [String: String]
    private var mounts: [(path: String, process: Process)] = []
    private var helpers: [Process] = []

    init(store: String? = nil, environment: [String: String] = [:]) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("bucketchat-mount-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        self.store = store ?? root.appendingPathComponent("store").path
        extraEnvironment = environment
    }

    /// Unmounts everything, stops every process, removes the folder.
    func tearDown() {
        for helper in helpers where helper.isRunning { helper.terminate() }
        for (path, process) in mounts {
            _ = try? shell("fusermount3 -u -z '\(path)' 2>/dev/null || true", timeout: 10)
            if process.isRunning { process.terminate() }
            let deadline = Date().addingTimeInterval(15)
            while process.isRunning, Date() < deadline { usleep(50_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        try? FileManager.default.removeItem(at: root)
    }

    func environment(_ name: String) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["BUCKETCHAT_HOME"] = root.appendingPathComponent(name).path
        env["BUCKETCHAT_STORE"] = store
        for (k, v) in extraEnvironment { env[k] = v }
        return env
    }

    /// `bucketchat init` for a new identity, with fast polling for tests.
    func identity(_ name: String, extraConfig: String = "") throws {
        let out = try run(name, ["init", "--name", name])
        #expect(out.status == 0, "init \(name): \(out.stderr)")
        let config = root.appendingPathComponent(name).appendingPathComponent("config.toml")
        let text = try String(contentsOf: config, encoding: .utf8)
        try (text + "\n[sync]\nactive_interval_ms = 200\nidle_interval_ms = 400\n[mount]\ndiscovery_interval_ms = 300\n" + extraConfig)
            .write(to: config, atomically: true, encoding: .utf8)
    }

    /// Replaces an identity's extra settings (`[upload]` and the like).
    func setConfig(_ name: String, upload intervalMs: Int?) throws {
        let config = root.appendingPathComponent(name).appendingPathComponent("config.toml")
        var text = try String(contentsOf: config, encoding: .utf8)
        if let range = text.range(of: "\n[upload]") { text = String(text[..<range.lowerBound]) + "\n" }
        if let intervalMs { text += "[upload]\ninterval_ms = \(intervalMs)\n" }
        try text.write(to: config, atomically: true, encoding: .utf8)
    }

    struct Output {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Runs `bucketchat` as `name`.
    func run(_ name: String, _ arguments: [String], timeout: Double = 60) throws -> Output {
        try execute(MountHarness.products.appendingPathComponent("bucketchat").path, arguments, environment: environment(name), timeout: timeout)
    }

    /// Runs a shell command (as a user would type it).
    @discardableResult
    func shell(_ command: String, as name: String? = nil, timeout: Double = 30) throws -> Output {
        try execute("/bin/bash", ["-c", command], environment: name.map(environment) ?? ProcessInfo.processInfo.environment, timeout: timeout)
    }

    private func execute(_ tool: String, _ arguments: [String], environment: [String: String], timeout: Double) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.environment = environment
        let outFile = root.appendingPathComponent("out-\(UUID().uuidString.prefix(8))")
        let errFile = root.appendingPathComponent("err-\(UUID().uuidString.prefix(8))")
        _ = FileManager.default.createFile(atPath: outFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errFile.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: outFile)
        process.standardError = try FileHandle(forWritingTo: errFile)
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning {
            process.terminate()
            Issue.record("timed out after \(timeout) s: \(tool) \(arguments.joined(separator: " "))")
            let grace = Date().addingTimeInterval(5)
            while process.isRunning, Date() < grace { usleep(20_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            return Output(status: -1, stdout: "", stderr: "timed out")
        }
        let out = (try? String(contentsOf: outFile, encoding: .utf8)) ?? ""
        let err = (try? String(contentsOf: errFile, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(at: outFile)
        try? FileManager.default.removeItem(at: errFile)
        return Output(status: process.terminationStatus, stdout: out, stderr: err)
    }

    /// Mounts `name`'s rooms in the foreground (so the test owns the daemon)
    /// and waits until the mount is up. Returns the mount point.
    @discardableResult
    func mount(_ name: String, at existing: String? = nil, store: String? = nil) throws -> String {
        let path = existing ?? root.appendingPathComponent("mnt-\(name)-\(UUID().uuidString.prefix(4))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = MountHarness.products.appendingPathComponent("bucketchat")
        process.arguments = ["mount", path, "-f"] + (store.map { ["--store", $0] } ?? [])
        process.environment = environment(name)
        let log = root.appendingPathComponent("\(name)-mount.log")
        if !FileManager.default.fileExists(atPath: log.path) { _ = FileManager.default.createFile(atPath: log.path, contents: nil) }
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        process.standardError = handle
        process.standardOutput = handle
        try process.run()
        mounts.append((path, process))
        try waitUntil("\(name)'s mount at \(path) is up", timeout: 30) { MountHarness.isMounted(path) || !process.isRunning }
        guard MountHarness.isMounted(path) else {
            throw HarnessError("mount of \(name) failed: \(String(decoding: FileManager.default.contents(atPath: log.path) ?? Data(), as: UTF8.self))")
        }
        return path
    }

    /// The foreground daemon serving `path`.
    func daemon(at path: String) -> Process? {
        mounts.last { $0.path == path }?.process
    }

    /// Starts a long-running helper (tail -f, a bot), stopped at tear-down.
    ///
    /// It starts as a shell would start it: Foundation's Process passes on
    /// the test runner's blocked signals (SIGTERM and SIGINT among them), so
    /// neither a test's kill nor `terminate()` at tear-down would reach it,
    /// and no script could trap them. python3 clears the mask (and SIGPIPE's
    /// ignore) before bash starts.
    func background(_ command: String, as name: String, output: URL) throws -> Process {
        let process = Process()
        let python = "/usr/bin/python3"
        if FileManager.default.isExecutableFile(atPath: python) {
            process.executableURL = URL(fileURLWithPath: python)
            process.arguments = ["-c", "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); "
                + "signal.signal(signal.SIGPIPE, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])", "/bin/bash", "-c", command]
        } else {
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = ["-c", command]
        }
        process.environment = environment(name)
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: output)
        try process.run()
        helpers.append(process)
        return process
    }

    static func isMounted(_ path: String) -> Bool {
        guard let text = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8) else { return false }
        return text.split(separator: "\n").contains { $0.split(separator: " ").count > 4 && $0.split(separator: " ")[4] == path }
    }

    /// Polls `condition` every 50 ms until it holds or `timeout` passes.
    func waitUntil(_ what: String, timeout: Double, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if (try? condition()) == true { return }
            usleep(50_000)
        }
        throw HarnessError("timed out after \(timeout) s waiting until \(what)")
    }

    /// A file's text, or "" when it cannot be read.
    func text(_ path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension MountHarness {
    /// A harness on a fresh bucket of the test moto server (made with the
    /// admin's keys; the identities use the writer's, whose policy grants no delete).
    static func onMotoS3(bucketPrefix: String) async throws -> MountHarness {
        let env = ProcessInfo.processInfo.environment
        guard let endpoint = env["BUCKETCHAT_TEST_S3_ENDPOINT"] else { throw HarnessError("BUCKETCHAT_TEST_S3_ENDPOINT is not set: run scripts/test.sh") }
        let bucket = bucketPrefix + UUID().uuidString.prefix(8).lowercased()
        let admin = AWSSettings(credentials: AWSCredentials(accessKeyId: env["BUCKETCHAT_TEST_S3_ADMIN_KEY"] ?? "",
                                                            secretAccessKey: env["BUCKETCHAT_TEST_S3_ADMIN_SECRET"] ?? ""),
                                region: "us-east-1", endpoint: endpoint)
        try await S3Store(S3Configuration(bucket: bucket, prefix: "", settings: admin)).createBucket()
        return try MountHarness(store: "s3://\(bucket)/chat/", environment: [
            "AWS_ACCESS_KEY_ID": env["BUCKETCHAT_TEST_S3_KEY"] ?? "", "AWS_SECRET_ACCESS_KEY": env["BUCKETCHAT_TEST_S3_SECRET"] ?? "",
            "AWS_ENDPOINT_URL_S3": endpoint, "AWS_REGION": "us-east-1",
        ])
    }
}
