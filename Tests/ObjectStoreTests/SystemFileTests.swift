import Foundation
@testable import ObjectStore
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one write-all loop and folder sync: short writes go on, a write that
/// writes nothing ends it with EIO instead of spinning, real errors come back
/// with their call and errno.
@Suite struct SystemFileTests {
    @Test func aWriteThatWritesNothingIsEIOAndDoesNotSpin() {
        var calls = 0
        let failure = [UInt8](repeating: 7, count: 10).withUnsafeBytes { bytes in
            SystemFile.writeAll(3, bytes, using: { _, _, _ in
                calls += 1
                return 0
            })
        }
        #expect(failure?.errno == EIO)
        #expect(failure?.call == "write")
        #expect(calls == 1)
    }

    @Test func shortWritesAndInterruptionsGoOnUntilEveryByteIsWritten() {
        let source = (0..<100).map { UInt8($0) }
        var written: [UInt8] = []
        var calls = 0
        let failure = source.withUnsafeBytes { bytes in
            SystemFile.writeAll(3, bytes, using: { _, base, count in
                calls += 1
                // Every third call is interrupted before writing anything.
                if calls % 3 == 0 {
                    errno = EINTR
                    return -1
                }
                let n = min(count, 7)
                written += UnsafeRawBufferPointer(start: base, count: n)
                return n
            })
        }
        #expect(failure == nil)
        #expect(written == source)
    }

    @Test func anEmptyBufferWritesNothing() {
        var calls = 0
        let failure = [UInt8]().withUnsafeBytes { bytes in
            SystemFile.writeAll(3, bytes, using: { _, _, _ in
                calls += 1
                return 0
            })
        }
        #expect(failure == nil)
        #expect(calls == 0)
    }

    @Test func aFullDeviceReportsENOSPC() throws {
        let fd = open("/dev/full", O_WRONLY | O_CLOEXEC)
        try #require(fd >= 0, "no /dev/full on this system")
        defer { close(fd) }
        let failure = [UInt8](repeating: 1, count: 4096).withUnsafeBytes { SystemFile.writeAll(fd, $0) }
        #expect(failure?.errno == ENOSPC)
        #expect(failure?.description.contains("write") == true)
    }

    @Test func everyByteReachesAPipe() throws {
        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0)
        defer { close(ends[0]) }
        let source = (0..<4000).map { UInt8($0 % 251) }
        let failure = source.withUnsafeBytes { SystemFile.writeAll(ends[1], $0) }
        close(ends[1])
        #expect(failure == nil)
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(ends[0], $0.baseAddress, $0.count) }
            if n <= 0 { break }
            received += chunk[0..<n]
        }
        #expect(received == source)
    }

    @Test func aClosedDescriptorReportsEBADF() {
        let failure = [UInt8](repeating: 1, count: 8).withUnsafeBytes { SystemFile.writeAll(-1, $0) }
        #expect(failure?.errno == EBADF)
    }

    @Test func syncingAFolderSucceedsAndAMissingOneNamesTheCall() throws {
        let folder = NSTemporaryDirectory() + "bucketchat-sync-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(SystemFile.syncFolder(folder) == nil)
        let missing = SystemFile.syncFolder(folder + "/missing")
        #expect(missing?.call == "open")
        #expect(missing?.errno == ENOENT)
    }
}
