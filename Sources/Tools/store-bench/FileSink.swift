import Foundation
import ObjectStore

/// A sink writing to a file, so a download's rate includes the disk as
/// `aws s3 cp` to a file does.
final class FileSink: ObjectSink, @unchecked Sendable {
    // Written by one transfer at a time, closed after it ends.
    private let handle: FileHandle
    private(set) var count: Int64 = 0

    init(path: String) throws(StoreError) {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw StoreError(.io, "cannot create \(path) to download into; check the folder exists and is writable")
        }
        self.handle = handle
    }

    func receive(_ bytes: UnsafeRawBufferPointer) throws(StoreError) {
        do {
            try handle.write(contentsOf: bytes)
        } catch {
            throw StoreError(.io, "cannot write the download; check the disk", cause: error)
        }
        count += Int64(bytes.count)
    }

    func close() { try? handle.close() }
}
