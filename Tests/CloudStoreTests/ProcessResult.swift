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
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    let stdin = Pipe()
    process.standardInput = stdin
    try process.run()
    if let input { stdin.fileHandleForWriting.write(input) }
    try? stdin.fileHandleForWriting.close()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let result = ProcessResult(status: process.terminationStatus, output: String(decoding: output, as: UTF8.self))
    if !allowFailure, result.status != 0 {
        throw ProcessFailure(description: "\(arguments.joined(separator: " ")) exited \(result.status): \(result.output)")
    }
    return result
}
