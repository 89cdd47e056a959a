import Foundation
import ObjectStore
import GCSStore
import S3Store
import Stores

// store-bench: PUT/GET/LIST rates of a store, sequential vs parallel; and
// `race`, one contender in the cross-process create race the tests run.
// BUCKETCHAT_BENCH_FILE_MB (default 64; 0 skips it) sizes one attachment
// uploaded with putFileIfAbsent and downloaded into a counting sink.
//
//   store-bench race FOLDER KEY TEXT        prints created | exists-same | exists-different
//   store-bench bench LOCATION [COUNT]      LOCATION as users give it (path, s3://b/p, gs://b/p)
//   store-bench bench --create-bucket s3://b/p [COUNT]
//   store-bench file [--create-bucket] LOCATION PATH [OUT]
//                                           PATH up with putFileIfAbsent, then down into OUT
//                                           (a file) or a counting sink; prints seconds and peak RSS

let arguments = Array(CommandLine.arguments.dropFirst())

/// Runs `body` for each index with at most `width` in flight.
func forEach(_ count: Int, width: Int, _ body: @escaping @Sendable (Int) async throws -> Void) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        var next = 0
        while next < min(width, count) {
            let index = next
            group.addTask { try await body(index) }
            next += 1
        }
        while try await group.next() != nil {
            if next < count {
                let index = next
                group.addTask { try await body(index) }
                next += 1
            }
        }
    }
}

func rate(_ label: String, _ count: Int, _ body: () async throws -> Void) async throws -> Double {
    let clock = ContinuousClock()
    let elapsed = try await clock.measure { try await body() }
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let perSecond = Double(count) / seconds
    let padded = label.padding(toLength: 24, withPad: " ", startingAt: 0)
    print("  " + padded + String(format: "%6d ops in %7.3f s = %9.1f ops/s", count, seconds, perSecond))
    return perSecond
}

func bench(_ store: any ObjectStore, count: Int, width: Int) async throws {
    let run = UUID().uuidString.prefix(8)
    let payload = Data(repeating: 0x61, count: 1024)
    print("\(store.locationDescription)  (\(count) objects of \(payload.count) bytes, parallel width \(width))")
    let seqKeys = try (0..<count).map { try ObjectKey("bench/\(run)/seq/\($0)") }
    let parKeys = try (0..<count).map { try ObjectKey("bench/\(run)/par/\($0)") }
    _ = try await rate("PUT sequential", count) {
        for key in seqKeys { _ = try await store.putIfAbsent(key, payload) }
    }
    _ = try await rate("PUT parallel", count) {
        try await forEach(count, width: width) { _ = try await store.putIfAbsent(parKeys[$0], payload) }
    }
    let getSeq = try await rate("GET sequential", count) {
        for key in seqKeys { _ = try await store.get(key) }
    }
    let getPar = try await rate("GET parallel", count) {
        try await forEach(count, width: width) { _ = try await store.get(seqKeys[$0]) }
    }
    var listed = 0
    _ = try await rate("LIST (keys/s)", 2 * count) {
        listed = try await store.list(prefix: "bench/\(run)/").count
    }
    guard listed == 2 * count else { throw StoreError(.badResponse, "listed \(listed) keys, expected \(2 * count)") }
    print(String(format: "  GET parallel/sequential speed-up: %.1fx", getPar / getSeq))
}

/// The process's peak resident memory (VmHWM), in MiB; nil off Linux.
func peakMemoryMiB() -> Int? {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
          let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "") else { return nil }
    return kilobytes / 1024
}

/// One attachment up and down: MiB/s each way and the peak memory after,
/// which stays a few parts above the rest of the bench whatever the size.
func benchFile(_ store: any ObjectStore, megabytes: Int) async throws {
    guard megabytes > 0 else { return }
    let path = NSTemporaryDirectory() + "store-bench-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: path) }
    guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
        throw StoreError(.io, "cannot create \(path) for the file bench")
    }
    let mebibyte = Data((0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
    for _ in 0..<megabytes { handle.write(mebibyte) }
    try handle.close()
    _ = try await transferFile(store, path: path, output: nil)
}

/// Uploads `path` under a fresh key, then downloads it into `output` (a
/// file) or a counting sink; prints both rates and the peak memory, and
/// returns the seconds each way.
func transferFile(_ store: any ObjectStore, path: String, output: String?) async throws -> (up: Double, down: Double) {
    let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? 0
    let mebibytes = max(1, Int((size + (1 << 20) - 1) >> 20))
    let key = try ObjectKey("bench/files/\(UUID().uuidString.prefix(8))")
    let before = peakMemoryMiB().map { "\($0) MiB" } ?? "?"
    let up = try await rate("file PUT (MiB/s)", mebibytes) { _ = try await store.putFileIfAbsent(key, path: path, progress: nil) }
    let received: Int64
    let down: Double
    if let output {
        let sink = try FileSink(path: output)
        down = try await rate("file GET (MiB/s)", mebibytes) { _ = try await store.download(key, into: sink, maxBytes: size) }
        sink.close()
        received = sink.count
    } else {
        let sink = CountingSink()
        down = try await rate("file GET (MiB/s)", mebibytes) { _ = try await store.download(key, into: sink, maxBytes: size) }
        received = sink.count
    }
    guard received == size else { throw StoreError(.badResponse, "downloaded \(received) bytes of \"\(key)\", expected \(size)") }
    print("  peak memory before the file: \(before), after: \(peakMemoryMiB().map { "\($0) MiB" } ?? "?")")
    return (Double(mebibytes) / up, Double(mebibytes) / down)
}

do {
    switch arguments.first {
    case "race" where arguments.count == 4:
        let store = LocalFolderStore(root: arguments[1])
        let outcome = try await store.putIfAbsent(try ObjectKey(arguments[2]), Data(arguments[3].utf8))
        switch outcome {
        case .created: print("created")
        case .alreadyExists(let same): print(same ? "exists-same" : "exists-different")
        }
    case "bench" where arguments.count >= 2:
        var rest = Array(arguments.dropFirst())
        let createBucket = rest.first == "--create-bucket"
        if createBucket { rest.removeFirst() }
        guard let text = rest.first else { throw StoreError(.invalidLocation, "bench needs a location") }
        let count = rest.count > 1 ? Int(rest[1]) ?? 1000 : 1000
        let location = try StoreLocation(parsing: text)
        let store = try location.open()
        if createBucket, let s3 = store as? S3Store { try await s3.createBucket() }
        if createBucket, let gcs = store as? GCSStore { try await gcs.createBucket(project: "bench") }
        try await bench(store, count: count, width: 32)
        let megabytes = ProcessInfo.processInfo.environment["BUCKETCHAT_BENCH_FILE_MB"].flatMap { Int($0) } ?? 64
        try await benchFile(store, megabytes: megabytes)
    case "file" where arguments.count >= 3:
        var rest = Array(arguments.dropFirst())
        let createBucket = rest.first == "--create-bucket"
        if createBucket { rest.removeFirst() }
        guard rest.count >= 2 else { throw StoreError(.invalidLocation, "file needs a location and a path") }
        let store = try StoreLocation(parsing: rest[0]).open()
        if createBucket, let s3 = store as? S3Store { try await s3.createBucket() }
        if createBucket, let gcs = store as? GCSStore { try await gcs.createBucket(project: "bench") }
        let seconds = try await transferFile(store, path: rest[1], output: rest.count > 2 ? rest[2] : nil)
        print(String(format: "seconds: upload %.3f download %.3f", seconds.up, seconds.down))
    default:
        FileHandle.standardError.write(Data("usage: store-bench race FOLDER KEY TEXT | store-bench bench [--create-bucket] LOCATION [COUNT] | store-bench file [--create-bucket] LOCATION PATH [OUT]\n".utf8))
        exit(2)
    }
} catch {
    FileHandle.standardError.write(Data("store-bench: \(error)\n".utf8))
    exit(1)
}
