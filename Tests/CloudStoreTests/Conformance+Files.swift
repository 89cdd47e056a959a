import CloudHTTP
import Foundation
import ObjectStore
import Testing

/// Attachments on every backend: files in with `putFileIfAbsent`, objects out
/// with `download(into:maxBytes:)`. `largeSize` crosses the backend's
/// multipart or resumable threshold (set low by the suite).
extension Conformance {
    func filesRoundTripAtEverySize(largeSize: Int) async throws {
        for size in [0, 1, 1000, largeSize] {
            let (path, bytes) = try TestServers.randomFile(size: size)
            defer { try? FileManager.default.removeItem(atPath: path) }
            let key = try ObjectKey("rooms/r/attachments/file-\(size)")
            let progress = ProgressLog()
            #expect(try await store.putFileIfAbsent(key, path: path, progress: { progress.record($0) }) == .created, "size \(size)")
            if size > 0 {
                #expect(progress.values.last == Int64(size), "size \(size): \(progress.values)")
                #expect(progress.values == progress.values.sorted(), "progress only grows: \(progress.values)")
            }
            #expect(try await store.head(key)?.size == size)

            let sink = CollectingSink()
            #expect(try await store.download(key, into: sink, maxBytes: Int64(size)) == Int64(size))
            #expect(sink.bytes.count == size)
            #expect(Digest.sha256(sink.bytes) == Digest.sha256(bytes), "size \(size): the download differs from the file")
            if size >= 1 << 20 {
                // Streamed in pieces, not handed over as one buffer the size of the object.
                #expect(sink.largestChunk < size, "size \(size): one chunk of \(sink.largestChunk) bytes")
            }
            #expect(try await store.get(key) == bytes)
        }
    }

    func existingKeyIsNeverOverwrittenByAFile(largeSize: Int) async throws {
        for size in [1, largeSize] {
            let key = try ObjectKey("rooms/r/attachments/taken-\(size)")
            let (path, bytes) = try TestServers.randomFile(size: size)
            defer { try? FileManager.default.removeItem(atPath: path) }
            #expect(try await store.putFileIfAbsent(key, path: path, progress: nil) == .created)
            // The same file again (a retry): taken, same size.
            #expect(try await store.putFileIfAbsent(key, path: path, progress: nil) == .alreadyExists(sameBytes: true))
            // Another file of another size: taken, and the stored bytes stay.
            let (other, _) = try TestServers.randomFile(size: size + 7)
            defer { try? FileManager.default.removeItem(atPath: other) }
            #expect(try await store.putFileIfAbsent(key, path: other, progress: nil) == .alreadyExists(sameBytes: false))
            // An object made by putIfAbsent is just as taken.
            let small = try ObjectKey("rooms/r/attachments/small-\(size)")
            #expect(try await store.putIfAbsent(small, Data("x".utf8)) == .created)
            #expect(try await store.putFileIfAbsent(small, path: other, progress: nil) == .alreadyExists(sameBytes: false))
            #expect(try await store.get(small) == Data("x".utf8))
            let sink = CollectingSink()
            _ = try await store.download(key, into: sink, maxBytes: Int64(size))
            #expect(sink.bytes == bytes, "size \(size): the stored object changed")
        }
    }

    /// Two devices uploading one attachment at once: the key ends up holding
    /// the file, and neither sees a conflict. (S3 may answer `.created` to
    /// both when they shared one multipart upload: completing it is idempotent.)
    func concurrentFileUploadsOfOneKeyAgree(largeSize: Int) async throws {
        let (path, bytes) = try TestServers.randomFile(size: largeSize)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let key = try ObjectKey("rooms/r/attachments/shared")
        let store = self.store
        async let first = store.putFileIfAbsent(key, path: path, progress: nil)
        async let second = store.putFileIfAbsent(key, path: path, progress: nil)
        let outcomes = try await [first, second]
        #expect(outcomes.contains(.created), "\(outcomes)")
        #expect(outcomes.allSatisfy { $0 == .created || $0 == .alreadyExists(sameBytes: true) }, "\(outcomes)")
        let sink = CollectingSink()
        _ = try await store.download(key, into: sink, maxBytes: Int64(largeSize))
        #expect(sink.bytes == bytes)
    }

    func downloadOfAMissingKeyIsNotFound() async throws {
        let key = try ObjectKey("rooms/none/attachments/nothing")
        let sink = CollectingSink()
        do {
            _ = try await store.download(key, into: sink, maxBytes: 1 << 20)
            Issue.record("downloaded a missing object")
        } catch {
            #expect(error.code == .notFound)
            #expect(error.message.contains("rooms/none/attachments/nothing"))
        }
        #expect(sink.bytes.isEmpty)
        do {
            _ = try await store.putFileIfAbsent(try ObjectKey("rooms/r/x"), path: "/nonexistent/bucketchat-file", progress: nil)
            Issue.record("uploaded a file that does not exist")
        } catch {
            #expect(error.code == .io)
            #expect(error.message.contains("/nonexistent/bucketchat-file"))
        }
    }

    func downloadOverTheLimitIsTooLarge(largeSize: Int) async throws {
        for size in [1000, largeSize] {
            let key = try ObjectKey("rooms/r/attachments/big-\(size)")
            let (path, bytes) = try TestServers.randomFile(size: size)
            defer { try? FileManager.default.removeItem(atPath: path) }
            #expect(try await store.putFileIfAbsent(key, path: path, progress: nil) == .created)
            for limit in [0, 1, size - 1] {
                let sink = CollectingSink()
                do {
                    _ = try await store.download(key, into: sink, maxBytes: Int64(limit))
                    Issue.record("size \(size): a download over the limit \(limit) succeeded")
                } catch {
                    #expect(error.code == .tooLarge, "size \(size), limit \(limit): \(error)")
                    #expect(error.message.contains(key.rawValue))
                }
                #expect(sink.bytes.count <= limit, "size \(size): \(sink.bytes.count) bytes passed a limit of \(limit)")
                #expect(sink.bytes == bytes.prefix(sink.bytes.count), "what was passed is the object's start")
            }
        }
    }
}
