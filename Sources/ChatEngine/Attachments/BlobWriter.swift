import ChatProtocol
import ObjectStore

/// A blob being written into a ``BlobArea``: append the bytes as they
/// arrive, then ``finish()`` makes it durable under its SHA-256, or
/// ``cancel()`` throws it away. Appends of one writer must come in order.
public final class BlobWriter: Sendable {
    let file: HashedFile
    /// The file's name, for messages.
    public let name: String
    let roomID: String

    init(file: HashedFile, name: String, roomID: String) {
        self.file = file
        self.name = name
        self.roomID = roomID
    }

    /// Bytes appended so far.
    public var size: Int64 { file.size }

    /// Appends the next bytes; past the limit it throws `file_too_large` (and the blob is discarded).
    public func append(_ bytes: UnsafeRawBufferPointer) throws(EngineError) {
        do {
            try file.receive(bytes)
        } catch {
            file.discard()
            if error.code == .tooLarge {
                throw Self.tooLarge(name: name, size: file.size + Int64(bytes.count), limit: file.limit ?? 0, roomID: roomID)
            }
            throw EngineError(.fileIO, "Cannot write the copy of \(name) for room \(roomID) (\(file.temporaryPath)): \(error). Check the disk. Nothing was sent.", cause: error)
        }
    }

    /// Appends the next bytes.
    public func append(_ bytes: [UInt8]) throws(EngineError) {
        var failure: EngineError?
        bytes.withUnsafeBytes { buffer in
            do throws(EngineError) { try append(buffer) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Fsyncs the bytes, renames them to their SHA-256 and fsyncs the folder:
    /// once this returns the blob survives a crash.
    public func finish() throws(EngineError) -> StoredBlob {
        do {
            let (sha, size) = try file.seal()
            let path = try file.place(as: sha)
            return StoredBlob(sha256: sha, size: size, path: path)
        } catch {
            file.discard()
            throw EngineError(.fileIO, "Cannot save the copy of \(name) for room \(roomID) in \(file.folder): \(error). Check the disk. Nothing was sent.", cause: error)
        }
    }

    /// Throws the bytes away.
    public func cancel() {
        file.discard()
    }

    /// The error for a file over the limit: names the file, the limit and the setting.
    static func tooLarge(name: String, size: Int64, limit: Int64, roomID: String) -> EngineError {
        EngineError(.fileTooLarge, "\(name) is \(size > limit ? "\(size) bytes, " : "")larger than the \(FileLimit.describe(limit)) limit for shared files (room \(roomID)). Raise the limit with \(FileLimit.setting)=<MiB> if the room's readers can take it. Nothing was sent.")
    }
}
