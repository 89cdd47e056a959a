import ChatEngine
import ChatProtocol
import Foundation
import ObjectStore
import Testing
@testable import RoomFileSystem

/// `ROOM/files/`: sharing a file by writing it there, listing, reading,
/// repeated names, tampered bytes (no kernel).
@Suite(.serialized) struct SharedFilesTests {
    /// Alice makes a room and invites Bob, who joins. Returns the room id.
    func meet(_ alice: MountedIdentity, _ bob: MountedIdentity) async throws -> String {
        try await alice.mkdir("/plans")
        let room = try await alice.onlyRoom()
        try await alice.write("/plans/ctl", "invite user:bob\n")
        try await alice.settle()
        await bob.fs.discover()
        try await bob.write("/\(room)/ctl", "join\n")
        try await bob.settle()
        try await alice.settle()
        return room
    }

    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    @Test func aFileWrittenIntoFilesIsSharedListedAndReadByTheOtherSide() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let store = MemoryStore()
        let alice = try await MountedIdentity("alice", store: store, root: scratch.url)
        let bob = try await MountedIdentity("bob", store: store, root: scratch.url)
        let room = try await meet(alice, bob)
        let bytes = Self.randomBytes(300_001)
        let before = RoomFileSystem.nowMs()
        try await alice.share("/plans/files/report.pdf", bytes: bytes)
        #expect(try await alice.ls("/\(room)/files") == ["report.pdf"], "the writer sees it at once")
        #expect(try await alice.readAll("/\(room)/files/report.pdf") == bytes, "read from the blob area before upload")
        try await alice.settle()
        await bob.fs.syncNow()

        #expect(try await bob.ls("/\(room)").contains("files"))
        #expect(try await bob.ls("/\(room)/files") == ["report.pdf"])
        let stat = try await bob.stat("/\(room)/files/report.pdf")
        #expect(stat.kind == .file && stat.mode == 0o444 && stat.size == 300_001)
        #expect(stat.modifiedMs >= before - 1000 && stat.modifiedMs <= RoomFileSystem.nowMs() + 1000, "the event's time")
        #expect(try await bob.readAll("/\(room)/files/report.pdf") == bytes, "downloaded, checked, read back")
        #expect(try await bob.read("/\(room)/timeline").contains("report.pdf"))

        // Write-once: no overwrite, no resize, no removal, no second file of a given name.
        await #expect(throws: FileSystemError.self) { try await bob.call { fs throws(FileSystemError) in try fs.open("/\(room)/files/report.pdf", write: true, read: false) } }
        let resize = await #expect(throws: FileSystemError.self) { try await bob.call { fs throws(FileSystemError) in try fs.truncate("/\(room)/files/report.pdf", size: 0) } }
        #expect(resize?.errno == EPERM)
        #expect(bob.fs.refuseStructureChange("/\(room)/files/report.pdf", "remove a file").errno == EPERM)
        let again = await #expect(throws: FileSystemError.self) { try await bob.share("/\(room)/files/report.pdf", bytes: [1, 2, 3]) }
        #expect(again?.errno == EEXIST)
        let unsafe = await #expect(throws: FileSystemError.self) { try await bob.share("/\(room)/files/a\u{202E}txt.exe", bytes: [1]) }
        #expect(unsafe?.errno == EINVAL)
    }

    @Test func aRepeatedNameGetsTheREFAndEmptyFilesWork() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let store = MemoryStore()
        let alice = try await MountedIdentity("alice", store: store, root: scratch.url)
        let bob = try await MountedIdentity("bob", store: store, root: scratch.url)
        let room = try await meet(alice, bob)
        try await alice.share("/\(room)/files/report.pdf", bytes: Array("first".utf8))
        try await alice.settle()
        // Another client of Bob's shares a file of the same name: the mount's create would refuse it.
        let copy = scratch.url.appendingPathComponent("report.pdf")
        try Data("second!".utf8).write(to: copy)
        let session = try #require(bob.session(room))
        let second = try await session.shareFile(path: copy.path)
        try await bob.settle()
        try await bob.share("/\(room)/files/empty", bytes: [])
        try await bob.settle()
        try await alice.settle()

        let suffixed = "report (\(EventReference.short(second.eventID))).pdf"
        for side in [alice, bob] {
            #expect(try await side.ls("/\(room)/files") == ["empty", "report.pdf", suffixed].sorted(), "\(side.name)")
            #expect(try await side.readAll("/\(room)/files/report.pdf") == Array("first".utf8))
            #expect(try await side.readAll("/\(room)/files/\(suffixed)") == Array("second!".utf8))
            #expect(try await side.stat("/\(room)/files/empty").size == 0)
            #expect(try await side.readAll("/\(room)/files/empty") == [])
        }
        #expect(SharedFileList.suffixed("notes", reference: "abc123") == "notes (abc123)")
        #expect(SharedFileList.suffixed(".bashrc", reference: "abc123") == ".bashrc (abc123)")
        #expect(SharedFileList.suffixed("a.tar.gz", reference: "abc123") == "a.tar (abc123).gz")
        #expect(SharedFileList.suffixed(String(repeating: "x", count: 255), reference: "abc123").utf8.count == 255)
    }

    @Test func writesMustBeSequential() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let alice = try await MountedIdentity("alice", store: MemoryStore(), root: scratch.url)
        try await alice.mkdir("/plans")
        let room = try await alice.onlyRoom()
        let error = await #expect(throws: FileSystemError.self) {
            try await alice.call { fs throws(FileSystemError) in
                let file = try fs.create("/\(room)/files/holes.bin")
                defer { fs.release(handle: file.handle) }
                _ = try fs.writeBytes(handle: file.handle, offset: 0, [1, 2, 3])
                _ = try fs.writeBytes(handle: file.handle, offset: 10, [4])
            }
        }
        #expect(error?.errno == EINVAL)
        #expect(try await alice.ls("/\(room)/files").isEmpty, "a failed write shares nothing; the name is free again")
    }

    @Test func tamperedBytesGiveEIOAndAnAlarmInAlerts() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let folder = scratch.url.appendingPathComponent("store")
        let store = LocalFolderStore(root: folder.path)
        let alice = try await MountedIdentity("alice", store: store, root: scratch.url)
        let bob = try await MountedIdentity("bob", store: store, root: scratch.url)
        let room = try await meet(alice, bob)
        let bytes = Array("the real contract".utf8)
        try await alice.share("/\(room)/files/contract.txt", bytes: bytes)
        try await alice.settle()
        await bob.fs.syncNow()
        let listed = try #require(bob.fs.locked { bob.fs.rooms[room]?.files.file(named: "contract.txt") })
        let stored = folder.appendingPathComponent(RoomObjectKey.attachmentKey(roomID: room, sha256: listed.sha256))
        #expect(FileManager.default.fileExists(atPath: stored.path))
        try Data("the fake contract".utf8).write(to: stored)

        let error = await #expect(throws: FileSystemError.self) { try await bob.readAll("/\(room)/files/contract.txt") }
        #expect(error?.errno == EIO)
        #expect(error?.message.contains(room) == true && error?.message.contains("contract.txt") == true, "\(String(describing: error))")
        #expect(try await bob.read("/\(room)/alerts").contains("alarm\tattachment_mismatch"))
        #expect(try await alice.readAll("/\(room)/files/contract.txt") == bytes, "the sender still has its own copy")
    }

    @Test func aDownloadAtOpenHoldsNoLockAndASignalEndsIt() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let store = GatedDownloads(inner: MemoryStore())
        let alice = try await MountedIdentity("alice", store: store, root: scratch.url)
        let bob = try await MountedIdentity("bob", store: store, root: scratch.url)
        let room = try await meet(alice, bob)
        let bytes = Self.randomBytes(100_000)
        try await alice.share("/\(room)/files/slow.bin", bytes: bytes)
        try await alice.settle()
        await bob.fs.syncNow()
        let signal = InterruptFlag()
        let opening = Task { () async -> Result<OpenResult, FileSystemError> in
            do throws(FileSystemError) {
                return .success(try await bob.call { fs throws(FileSystemError) in
                    try fs.open("/\(room)/files/slow.bin", write: false, read: true, interrupted: { signal.isRaised })
                })
            } catch {
                return .failure(error)
            }
        }
        while await store.started == 0 { try await Task.sleep(for: .milliseconds(20)) }
        // The open is waiting on the store: the rest of the mount still answers.
        #expect(try await bob.ls("/\(room)/files") == ["slow.bin"])
        #expect(try await bob.read("/\(room)/timeline").contains("slow.bin"))
        signal.raise()
        guard case .failure(let error) = await opening.value else { Issue.record("the open was not interrupted"); return }
        #expect(error.errno == EINTR)
        await store.open()
        #expect(try await bob.readAll("/\(room)/files/slow.bin") == bytes)
    }

    @Test func aRedactedFileLeavesFilesAndItsNameStaysGiven() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let store = MemoryStore()
        let alice = try await MountedIdentity("alice", store: store, root: scratch.url)
        let bob = try await MountedIdentity("bob", store: store, root: scratch.url)
        let room = try await meet(alice, bob)
        try await alice.share("/\(room)/files/oops.txt", bytes: Array("secret".utf8))
        try await alice.settle()
        await bob.fs.syncNow()
        #expect(try await bob.ls("/\(room)/files") == ["oops.txt"])
        let listed = try #require(alice.fs.locked { alice.fs.rooms[room]?.files.file(named: "oops.txt") })
        try await alice.write("/\(room)/ctl", "redact \(EventReference.short(listed.eventID))\n")
        try await alice.settle()
        await bob.fs.syncNow()
        #expect(try await alice.ls("/\(room)/files").isEmpty)
        #expect(try await bob.ls("/\(room)/files").isEmpty)
        let again = await #expect(throws: FileSystemError.self) { try await alice.share("/\(room)/files/oops.txt", bytes: [1]) }
        #expect(again?.errno == EEXIST, "a name once given is not given again")
    }
}
