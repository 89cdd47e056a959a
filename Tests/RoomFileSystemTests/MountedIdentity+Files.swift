import ChatEngine
import Foundation
@testable import RoomFileSystem

extension MountedIdentity {
    /// `cp` of some bytes to a new file in `files/`: create, sequential
    /// writes of `chunk` bytes at their offsets, close (whose error is thrown).
    func share(_ path: String, bytes: [UInt8], chunk: Int = 64 << 10) async throws(FileSystemError) {
        try await call { fs throws(FileSystemError) in
            let file = try fs.create(path)
            defer { fs.release(handle: file.handle) }
            var start = 0
            while start < bytes.count {
                let end = min(bytes.count, start + chunk)
                _ = try fs.writeBytes(handle: file.handle, offset: start, bytes[start..<end])
                start = end
            }
            try fs.flush(handle: file.handle)
        }
    }

    /// `cat PATH` of a binary file, in reads of 128 KiB.
    func readAll(_ path: String) async throws(FileSystemError) -> [UInt8] {
        try await call { fs throws(FileSystemError) in
            let file = try fs.open(path, write: false, read: true)
            defer { fs.release(handle: file.handle) }
            var out: [UInt8] = []
            while true {
                let chunk = try fs.readBytes(handle: file.handle, offset: out.count, count: 128 << 10)
                if chunk.isEmpty { break }
                out += chunk
            }
            return out
        }
    }

    /// The session of a mounted room (to share a file as another client would).
    func session(_ roomID: String) -> RoomSession? {
        fs.locked { fs.rooms[roomID]?.session }
    }
}
