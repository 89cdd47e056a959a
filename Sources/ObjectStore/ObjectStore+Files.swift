import Foundation

/// Objects moved to and from files: attachments, which may be far larger than
/// memory should hold.
///
/// These defaults read the whole file, or the whole object, into memory. They
/// are right for the in-memory store and for wrappers; the real stores stream
/// (S3 multipart, GCS resumable upload, a temporary file in a folder).
extension ObjectStore {
    public func putFileIfAbsent(_ key: ObjectKey, path: String, progress: (@Sendable (Int64) -> Void)?) async throws(StoreError) -> PutOutcome {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw StoreError(.io, "cannot read \(path) to upload it as \(key): \(error.localizedDescription)", cause: error as NSError)
        }
        let outcome = try await putIfAbsent(key, data)
        progress?(Int64(data.count))
        return outcome
    }

    public func download(_ key: ObjectKey, into sink: any ObjectSink, maxBytes: Int64) async throws(StoreError) -> Int64 {
        let bytes = try await bytes(key)
        guard Int64(bytes.count) <= maxBytes else {
            throw StoreError(.tooLarge, "\(key) in \(locationDescription) holds \(bytes.count) bytes, more than the \(maxBytes) expected")
        }
        var failure: StoreError?
        bytes.withUnsafeBytes { buffer in
            do throws(StoreError) { try sink.receive(buffer) } catch { failure = error }
        }
        if let failure { throw failure }
        return Int64(bytes.count)
    }
}
