import CloudHTTP
import Foundation
import ObjectStore
import Testing

/// A file region's digests are those of its bytes, computed in chunks, and
/// a region the file no longer holds fails naming the file.
struct FileRegionTests {
    @Test func digestsInChunksMatchTheWholeBytes() async throws {
        let key = try ObjectKey("rooms/r/attachments/digests")
        // Over two of the 1 MiB chunks the region is hashed in, at an offset.
        let (path, bytes) = try TestServers.randomFile(size: (2 << 20) + 12_345)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try SourceFile(path: path, key: key)
        let region = FileRegion(file: file, offset: 777, length: Int64(bytes.count - 1_000))
        let digests = try await region.digests()
        let slice = bytes.subdata(in: 777..<(bytes.count - 223))
        #expect(digests.sha256 == Digest.sha256(slice))
        #expect(digests.md5 == Digest.md5(slice))
    }

    @Test func aRegionPastTheEndNamesTheFile() async throws {
        let key = try ObjectKey("rooms/r/attachments/short")
        let (path, _) = try TestServers.randomFile(size: 1_000)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let region = FileRegion(file: try SourceFile(path: path, key: key), offset: 500, length: 1_000)
        do {
            _ = try await region.digests()
            Issue.record("hashed bytes the file does not hold")
        } catch {
            #expect(error.code == .io)
            #expect(error.message.contains(path) && error.message.contains("shorter"), "\(error.message)")
        }
    }

    /// A body region the file no longer holds (it shrank after the upload
    /// was planned) aborts the request with `.io` naming the file, untried
    /// again: the network is not what failed.
    @Test(.enabled(if: TestServers.s3Endpoint != nil)) func aShrunkFileAbortsTheRequestNamingIt() async throws {
        let endpoint = try #require(TestServers.s3Endpoint)
        let key = try ObjectKey("rooms/r/attachments/shrunk")
        let (path, _) = try TestServers.randomFile(size: 100_000)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let region = FileRegion(file: try SourceFile(path: path, key: key), offset: 0, length: 300_000)
        let client = HTTPClient(retry: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(10), maxDelay: .milliseconds(20)))
        do {
            let response = try await client.send(HTTPRequest(method: "PUT", url: endpoint + "/no-bucket/shrunk", bodyRegion: region),
                                                 what: "sending a test body")
            Issue.record("a request whose body could not be read was answered \(response.status)")
        } catch {
            #expect(error.code == .io, "\(error)")
            #expect(error.message.contains(path) && error.message.contains("shorter"), "\(error.message)")
        }
    }
}
