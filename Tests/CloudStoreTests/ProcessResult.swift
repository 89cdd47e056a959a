import Foundation

/// What a helper process printed and how it ended.
struct ProcessResult {
    let status: Int32
    let output: String
}

/// Runs a command to completion, capturing stdout and stderr together.
@discardableResult
func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil, input: Data? = nil, allowFailure: Bool = false) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = environment }
    // Output goes to a file, not a pipe: Foundation's FileHandle reads trap
    // on EINTR, which the SIGCHLDs of other tests' children cause.
    let outputPath = NSTemporaryDirectory() + "bucketchat-run-\(UUID().uuidString).out"
    _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
    defer { try? FileManager.default.removeItem(atPath: outputPath) }
    let outputHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
    process.standardOutput = outputHandle
    process.standardError = outputHandle
    let inputPath = NSTemporaryDirectory() + "bucketchat-run-\(UUID().uuidString).in"
    _ = FileManager.default.createFile(atPath: inputPath, contents: input ?? Data())
    defer { try? FileManager.default.removeItem(atPath: inputPath) }
    process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: inputPath))
    try process.run()
    process.waitUntilExit()
    try? outputHandle.close()
    let output = (try? Data(contentsOf: URL(fileURLWithPath: outputPath))) ?? Data()
    let result = ProcessResult(status: process.terminationStatus, output: String(decoding: output, as: UTF8.self))
    if !allowFailure, result.status != 0 {
        throw ProcessFailure(description: "\(arguments.joined(separator: " ")) exited \(result.status): \(result.output)")
    }
    return result
}
