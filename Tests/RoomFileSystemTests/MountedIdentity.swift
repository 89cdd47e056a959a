import ChatEngine
import ChatProtocol
import Foundation
import ObjectStore
@testable import RoomFileSystem

/// One identity's filesystem over a shared store, driven by hand: no kernel,
/// no background tasks. Calls that may block (they wait on the journal) run
/// on a thread of their own, as libfuse's threads would, so the Swift
/// concurrency pool stays free for the engine.
final class MountedIdentity: Sendable {
    let fs: RoomFileSystem
    let name: String
    let stateFolder: String

    convenience init(_ name: String, store: any ObjectStore, root: URL) async throws {
        let identity = DeviceIdentity(senderID: "user:\(name)", clientID: "\(name)_dev", key: try SigningKey.generate())
        await self.init(name, identity: identity, store: store, root: root)
    }

    /// A mount of a given identity, e.g. the same identity on another store;
    /// `trustedKeys` are the keys the user trusts for legacy rooms.
    init(_ name: String, identity: DeviceIdentity, store: any ObjectStore, root: URL,
         trustedKeys: @escaping @Sendable (String) -> [String: [PublicKey]] = { _ in [:] }) async {
        self.name = name
        stateFolder = root.appendingPathComponent(name).path
        fs = RoomFileSystem(configuration: MountConfiguration(identity: identity, displayName: name.capitalized, store: store,
                                                              stateFolder: stateFolder, uploadPolicy: .fixed(.milliseconds(1)),
                                                              trustedKeys: trustedKeys))
        await fs.start(background: false)
    }

    /// Runs a filesystem call on its own thread.
    func call<T: Sendable>(_ body: @escaping @Sendable (RoomFileSystem) throws(FileSystemError) -> T) async throws(FileSystemError) -> T {
        let fs = self.fs
        let result: Result<T, FileSystemError> = await withCheckedContinuation { continuation in
            Thread {
                do throws(FileSystemError) {
                    continuation.resume(returning: .success(try body(fs)))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }.start()
        }
        return try result.get()
    }

    /// `cat PATH`.
    func read(_ path: String) async throws(FileSystemError) -> String {
        try await call { fs throws(FileSystemError) in
            let file = try fs.open(path, write: false, read: true)
            defer { fs.release(handle: file.handle) }
            var out: [UInt8] = []
            while true {
                let chunk = try fs.readBytes(handle: file.handle, offset: out.count, count: 4096)
                if chunk.isEmpty { break }
                out += chunk
            }
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// `printf TEXT > PATH`, in writes of `chunk` bytes; close's error is thrown too.
    func write(_ path: String, _ text: String, chunk: Int = 1 << 20) async throws(FileSystemError) {
        try await write(path, bytes: Array(text.utf8), chunk: chunk)
    }

    /// Writes raw bytes (not necessarily UTF-8), in writes of `chunk` bytes; close's error is thrown too.
    func write(_ path: String, bytes: [UInt8], chunk: Int = 1 << 20) async throws(FileSystemError) {
        try await call { fs throws(FileSystemError) in
            try fs.truncate(path, size: 0)
            let file = try fs.open(path, write: true, read: false)
            defer { fs.release(handle: file.handle) }
            var start = 0
            while start < bytes.count {
                let end = min(bytes.count, start + chunk)
                _ = try fs.writeBytes(handle: file.handle, bytes[start..<end])
                start = end
            }
            try fs.flush(handle: file.handle)
        }
    }

    func ls(_ path: String) async throws(FileSystemError) -> [String] {
        try await call { fs throws(FileSystemError) in try fs.readdir(path).map(\.name) }
    }

    func stat(_ path: String) async throws(FileSystemError) -> NodeAttributes {
        try await call { fs throws(FileSystemError) in try fs.getattr(path) }
    }

    func mkdir(_ path: String) async throws(FileSystemError) {
        try await call { fs throws(FileSystemError) in try fs.mkdir(path) }
    }

    /// Syncs, uploads everything journaled, and syncs again.
    func settle() async throws {
        await fs.syncNow()
        try await fs.flushAll()
        await fs.syncNow()
    }

    /// The only room mounted, by id.
    func onlyRoom() async throws -> String {
        let rooms = try await ls("/").filter { $0.hasPrefix("room_") }
        guard rooms.count == 1 else { throw FileSystemError(.notFound, "expected one room, found \(rooms)") }
        return rooms[0]
    }
}

/// A temporary folder removed at the end of a test.
struct Scratch {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("bucketchat-fs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

extension RoomFileSystem {
    /// `read(2)` into a fresh buffer.
    func readBytes(handle: UInt64, offset: Int, count: Int, interrupted: () -> Bool = { false }) throws(FileSystemError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        let result: Result<Int, FileSystemError> = buffer.withUnsafeMutableBytes { b in
            do throws(FileSystemError) {
                return .success(try read(handle: handle, offset: offset, into: b, interrupted: interrupted))
            } catch {
                return .failure(error)
            }
        }
        return Array(buffer[0..<(try result.get())])
    }

    /// `write(2)` of some bytes.
    func writeBytes(handle: UInt64, offset: Int? = nil, _ bytes: some Collection<UInt8>) throws(FileSystemError) -> Int {
        let copy = Array(bytes)
        let result: Result<Int, FileSystemError> = copy.withUnsafeBytes { b in
            do throws(FileSystemError) {
                return .success(try write(handle: handle, offset: offset, bytes: b))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}
