import Foundation

/// Runs the built command-line tools as a user would and captures what they print.
struct CLIRunner {
    struct Output {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Where SwiftPM put the products (the folder holding the test bundle).
    static let products: URL = {
        var url = Bundle.main.bundleURL
        if url.pathExtension == "xctest" { url.deleteLastPathComponent() }
        return url
    }()

    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("ChatProtocolTests/Fixtures")

    var environment: [String: String] = ProcessInfo.processInfo.environment

    func run(_ arguments: [String], tool: String = "bucketchat") throws -> Output {
        try execute(CLIRunner.products.appendingPathComponent(tool), arguments, environment: environment)
    }

    /// Runs any program with this runner's environment.
    func run(tool: URL, _ arguments: [String]) throws -> Output {
        try execute(tool, arguments, environment: environment)
    }

    /// Runs a bash command line, with `$BUCKETCHAT` the built tool: for
    /// what Foundation cannot pass, such as arguments that are not UTF-8.
    func shell(_ command: String) throws -> Output {
        var environment = environment
        environment["BUCKETCHAT"] = CLIRunner.products.appendingPathComponent("bucketchat").path
        return try execute(URL(fileURLWithPath: "/bin/bash"), ["-c", command], environment: environment)
    }

    private func execute(_ tool: URL, _ arguments: [String], environment: [String: String]) throws -> Output {
        let process = Process()
        process.executableURL = tool
        process.arguments = arguments
        process.environment = environment
        // Output goes to files, not pipes: Foundation's pipe reads trap when a signal
        // (another test's child exiting) interrupts them.
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("bucketchat-cli-out-\(UUID().uuidString)")
        let outURL = base.appendingPathExtension("out"), errURL = base.appendingPathExtension("err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try? out.close()
        try? err.close()
        return Output(status: process.terminationStatus,
                      stdout: String(decoding: (try? Data(contentsOf: outURL)) ?? Data(), as: UTF8.self),
                      stderr: String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self))
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bucketchat-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
