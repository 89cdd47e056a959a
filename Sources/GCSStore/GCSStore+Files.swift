import CloudHTTP
import Foundation
import ObjectStore

/// Attachments: files uploaded without holding them in memory (a resumable
/// upload above the threshold), and objects downloaded straight into a sink.
extension GCSStore {
    public func putFileIfAbsent(_ key: ObjectKey, path: String, progress: (@Sendable (Int64) -> Void)?) async throws(StoreError) -> PutOutcome {
        let file = try SourceFile(path: path, key: key)
        guard file.size >= configuration.resumableThreshold else {
            let bytes = try await file.read(offset: 0, length: Int(file.size))
            guard try await createOnce(key, bytes) else { return try await existing(key, size: file.size) }
            progress?(file.size)
            return .created
        }
        return try await putResumable(key, file: file, progress: progress)
    }

    /// Sizes, not bytes, for a file: see `ObjectStore.putFileIfAbsent`.
    private func existing(_ key: ObjectKey, size: Int64) async throws(StoreError) -> PutOutcome {
        .alreadyExists(sameBytes: try await head(key).map { Int64($0.size) == size } ?? false)
    }

    /// A resumable upload with `ifGenerationMatch=0`: a session is opened,
    /// then the file goes up in chunks (multiples of 256 KiB) with
    /// Content-Range. A chunk cut off by the network is not simply sent
    /// again: the session is asked how much it persisted (`bytes */SIZE`)
    /// and the upload goes on from there. The precondition is checked when
    /// the object is finalised, so on GCS a name taken meanwhile answers 412.
    ///
    /// fake-gcs-server ignores `ifGenerationMatch` on resumable uploads (it
    /// replaces the object; checked against 0.1.1's bundled server), so the
    /// name is also looked up before the session opens and before the last
    /// chunk. Against that emulator a create racing the final chunk could
    /// still be replaced; against GCS the precondition closes that window.
    func putResumable(_ key: ObjectKey, file: SourceFile, progress: (@Sendable (Int64) -> Void)?) async throws(StoreError) -> PutOutcome {
        if try await head(key) != nil { return try await existing(key, size: file.size) }
        guard let session = try await openSession(key, size: file.size) else { return try await existing(key, size: file.size) }
        let what = "uploading \"\(key)\" to \(locationDescription)"
        var offset: Int64 = 0
        var failures = 0
        while true {
            let length = Int(min(configuration.chunkSize, file.size - offset))
            if offset + Int64(length) == file.size, offset > 0, try await head(key) != nil {
                return try await existing(key, size: file.size)
            }
            let range = "bytes \(offset)-\(offset + Int64(length) - 1)/\(file.size)"
            // The chunk streams from the file as it is sent: never in memory.
            let chunk = FileRegion(file: file, offset: offset, length: Int64(length))
            let answer = await sendOnce(HTTPRequest(method: "PUT", url: session, headers: [(name: "Content-Range", value: range)], bodyRegion: chunk))
            if case .failure(let failure) = answer, let problem = failure.bodyReadFailure {
                throw StoreError(.io, "\(problem) while \(what). Check the file and the disk, then upload it again once nothing writes to it.", cause: failure)
            }
            var response: HTTPResponse
            switch answer {
            case .success(let answered) where !RetryPolicy.isRetryable(status: answered.status):
                response = answered
            case .success, .failure:
                // Cut off or refused for now: ask the session where it stands.
                failures += 1
                guard failures < configuration.client.retry.maxAttempts else {
                    throw interrupted(answer, what: what, tries: failures)
                }
                try? await Task.sleep(for: configuration.client.retry.delay(afterAttempt: failures))
                response = try await send(HTTPRequest(method: "PUT", url: session, headers: [(name: "Content-Range", value: "bytes */\(file.size)")]),
                                          what: "asking how much of \"\(key)\" \(locationDescription) received")
            }
            switch response.status {
            case 200, 201:
                // Finalised. Check the size it was finalised at: fake-gcs-server
                // answers a status query by finalising whatever it holds.
                if let stored = Self.storedSize(response), stored != file.size {
                    throw StoreError(.badResponse, "The server finalised \"\(key)\" in \(locationDescription) with \(stored) of the file's \(file.size) bytes while \(what). The object is incomplete and, write-once, cannot be replaced: upload the file under another name.", cause: HTTPStatus(response))
                }
                progress?(file.size)
                return .created
            case 308:
                let persisted = Self.persistedLength(response)
                if persisted > offset { failures = 0 }
                offset = persisted
                progress?(offset)
            case 412:
                return try await existing(key, size: file.size)
            case 404, 410:
                throw StoreError(.preconditionFailed, "The upload session for \"\(key)\" in \(locationDescription) expired or was cancelled. Upload the file again.", cause: HTTPStatus(response))
            default:
                throw failure(response, what: what, key: key)
            }
        }
    }

    /// Starts a resumable session; returns its URI (the Location header), or
    /// nil when the server already knows the name is taken.
    private func openSession(_ key: ObjectKey, size: Int64) async throws(StoreError) -> String? {
        let what = "starting an upload of \"\(key)\" to \(locationDescription)"
        let request = HTTPRequest(method: "POST", url: uploadURL(type: "resumable"),
                                  headers: [(name: "Content-Type", value: "application/json; charset=UTF-8"),
                                            (name: "X-Upload-Content-Type", value: "application/octet-stream"),
                                            (name: "X-Upload-Content-Length", value: String(size))],
                                  body: metadata(for: key))
        let response = try await send(request, what: what)
        if response.status == 412 { return nil }
        guard response.status == 200 || response.status == 201 else { throw failure(response, what: what, key: key) }
        guard let location = response.header("location"), !location.isEmpty else {
            throw StoreError(.badResponse, "The server answered \(what) without a session URI (Location header). Check that the endpoint is GCS.", cause: HTTPStatus(response))
        }
        return location
    }

    /// How many bytes a session holds, from a 308's `Range: bytes=0-N`
    /// (none: nothing persisted yet).
    static func persistedLength(_ response: HTTPResponse) -> Int64 {
        guard let range = response.header("range"), let dash = range.lastIndex(of: "-"),
              let last = Int64(range[range.index(after: dash)...].trimmingCharacters(in: .whitespaces)) else { return 0 }
        return last + 1
    }

    /// The `size` of the object resource a finalising answer carries, if any.
    static func storedSize(_ response: HTTPResponse) -> Int64? {
        struct Resource: Decodable { let size: String? }
        return (try? JSONDecoder().decode(Resource.self, from: response.body))?.size.flatMap { Int64($0) }
    }

    /// One try, bearer token included: chunk failures are handled by asking
    /// the session, not by resending blindly.
    private func sendOnce(_ request: HTTPRequest) async -> Result<HTTPResponse, TransportFailure> {
        var request = request
        if let authorization = try? await tokens.authorization() {
            request.headers.append((name: "Authorization", value: authorization))
        }
        return await configuration.client.sendOnce(request)
    }

    private func interrupted(_ answer: Result<HTTPResponse, TransportFailure>, what: String, tries: Int) -> StoreError {
        switch answer {
        case .success(let response):
            return StoreError(.serverError, "GCS kept failing while \(what) (HTTP \(response.status), \(tries) tries). Try again later.", cause: HTTPStatus(response))
        case .failure(let failure):
            return StoreError(.unreachable, "Could not reach \(HTTPClient.origin(of: configuration.endpoint)) while \(what) (\(tries) tries). Check the endpoint and the network, then try again.", cause: failure)
        }
    }

    public func download(_ key: ObjectKey, into sink: any ObjectSink, maxBytes: Int64) async throws(StoreError) -> Int64 {
        let what = "reading \"\(key)\" from \(locationDescription)"
        let location = locationDescription
        let receiver = SinkReceiver(sink: sink, maxBytes: maxBytes) { size in
            let holds = size.map { "holds \($0) bytes" } ?? "holds more bytes"
            return StoreError(.tooLarge, "\"\(key)\" in \(location) \(holds), more than the \(maxBytes) expected. Check that the reference to it names the right size.")
        }
        // A transfer cut off midway goes on from the byte the sink reached
        // (objects never change, so the rest is the same object's rest).
        var resumes = 0
        while true {
            let response: HTTPResponse
            do {
                response = try await send(HTTPRequest(method: "GET", url: objectURL(key, query: "alt=media"),
                                                      headers: receiver.resumeRange.map { [$0] } ?? [], bodyReceiver: receiver), what: what)
            } catch {
                if receiver.canResume(after: error), resumes < configuration.client.retry.maxAttempts {
                    resumes += 1
                    continue
                }
                throw receiver.failure ?? error
            }
            guard response.status == 200 || response.status == 206 else { throw failure(response, what: what, key: key) }
            return receiver.count
        }
    }
}
