import CloudHTTP
import Foundation
import ObjectStore

/// Attachments: files uploaded without holding them in memory, and objects
/// downloaded straight into a sink.
extension S3Store {
    public func putFileIfAbsent(_ key: ObjectKey, path: String, progress: (@Sendable (Int64) -> Void)?) async throws(StoreError) -> PutOutcome {
        let file = try SourceFile(path: path, key: key)
        guard file.size >= configuration.multipartThreshold else {
            // Below the threshold the file is at most that large: one
            // conditional PUT of its bytes, like any other object.
            let bytes = try await file.read(offset: 0, length: Int(file.size))
            guard try await createOnce(key, bytes) else {
                return .alreadyExists(sameBytes: try await head(key)?.size == Int(file.size))
            }
            progress?(file.size)
            return .created
        }
        return try await putMultipart(key, file: file, progress: progress)
    }

    /// A multipart upload that resumes the one a previous try left, never
    /// overwrites, and leaves no parts behind once it succeeds or is refused.
    ///
    /// 1. HEAD: a taken key needs no upload at all (open uploads for it are aborted).
    /// 2. An upload S3 still holds open for the key (a try cut off by a crash
    ///    or an outage) is resumed: its parts holding this file's bytes
    ///    (size and MD5) are kept.
    /// 3. The missing parts go up, `partsInFlight` at a time, each streamed
    ///    from the file at its offset (no part is held in memory).
    /// 4. CompleteMultipartUpload with `If-None-Match: *`.
    /// 5. Any other open uploads for the key are aborted, so none is orphaned.
    ///
    /// A refusal (403, 400, the key taken) aborts the upload; an unreachable
    /// server does not, so the next try resumes it.
    func putMultipart(_ key: ObjectKey, file: SourceFile, progress: (@Sendable (Int64) -> Void)?) async throws(StoreError) -> PutOutcome {
        if let existing = try await head(key) {
            // Uploads still open for a key that is taken can never complete:
            // drop their parts (a try cut off while another device won).
            for upload in try await pendingUploads(for: key) { try await abortUpload(key, uploadID: upload.uploadID) }
            return .alreadyExists(sameBytes: Int64(existing.size) == file.size)
        }
        let partSize = configuration.partSize(forFileOf: file.size)
        let partCount = Int((file.size + partSize - 1) / partSize)

        var stale = try await pendingUploads(for: key)
        var uploadID: String?
        var done: [Int: S3UploadedPart] = [:]
        // The newest open upload is the one most likely to be ours.
        while uploadID == nil, let candidate = stale.popLast() {
            guard let parts = try await uploadedParts(of: key, uploadID: candidate.uploadID) else { continue }
            uploadID = candidate.uploadID
            done = try await partsMatching(parts, file: file, partSize: partSize, partCount: partCount)
        }
        let id: String
        if let uploadID { id = uploadID } else { id = try await createUpload(key) }

        do throws(StoreError) {
            var sent = done.values.reduce(Int64(0)) { $0 + $1.size }
            if sent > 0 { progress?(sent) }
            let missing = (1...partCount).filter { done[$0] == nil }
            for part in try await uploadParts(missing, of: key, uploadID: id, file: file, partSize: partSize, progress: { bytes in
                sent += bytes
                progress?(sent)
            }) {
                done[part.number] = part
            }
            let outcome: PutOutcome
            switch try await completeUpload(key, uploadID: id, parts: Array(done.values)) {
            case .created:
                outcome = .created
            case .keyTaken:
                try await abortUpload(key, uploadID: id)
                outcome = .alreadyExists(sameBytes: try await head(key).map { Int64($0.size) == file.size } ?? false)
            case .uploadGone:
                // Completed by a try whose answer was lost, or aborted by
                // someone else: whatever the key holds now is the outcome.
                guard let existing = try await head(key) else {
                    throw StoreError(.preconditionFailed, "The multipart upload of \"\(key)\" to \(locationDescription) vanished before it completed (aborted elsewhere?). Try again.")
                }
                outcome = .alreadyExists(sameBytes: Int64(existing.size) == file.size)
            }
            for upload in stale { try await abortUpload(key, uploadID: upload.uploadID) }
            return outcome
        } catch {
            // Unreachable or overloaded: keep the parts for the next try to
            // resume. Anything else will not get better by trying again.
            if error.code != .unreachable && error.code != .serverError && error.code != .io {
                try? await abortUpload(key, uploadID: id)
            }
            // The upload vanished under us (NoSuchUpload): another device
            // uploading the same key completed first and cleaned up after itself.
            if error.code == .notFound, let existing = try? await head(key) {
                return .alreadyExists(sameBytes: Int64(existing.size) == file.size)
            }
            throw error
        }
    }

    /// The parts of a resumed upload that hold this file's bytes: the right
    /// size and an ETag equal to the MD5 of the file's part (what S3 gives a
    /// part without KMS encryption). A part from another file sent to the same
    /// key is sent again, never stitched in; so is any part whose ETag is not
    /// an MD5. Each part is hashed from the file in 1 MiB chunks.
    private func partsMatching(_ parts: [Int: S3UploadedPart], file: SourceFile, partSize: Int64,
                               partCount: Int) async throws(StoreError) -> [Int: S3UploadedPart] {
        var kept: [Int: S3UploadedPart] = [:]
        for (number, part) in parts.sorted(by: { $0.key < $1.key }) where number <= partCount {
            let offset = Int64(number - 1) * partSize
            guard part.size == min(partSize, file.size - offset) else { continue }
            let digests = try await FileRegion(file: file, offset: offset, length: part.size).digests()
            let etag = part.etag.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            if etag.lowercased() == digests.md5.hexString { kept[number] = part }
        }
        return kept
    }

    /// Uploads the given parts, `partsInFlight` at a time; `sent` hears each
    /// finished part's size (on this task, in completion order).
    private func uploadParts(_ numbers: [Int], of key: ObjectKey, uploadID: String, file: SourceFile, partSize: Int64,
                             progress sent: (Int64) -> Void) async throws(StoreError) -> [S3UploadedPart] {
        let width = configuration.partsInFlight
        let store = self
        let result = await withTaskGroup(of: Result<S3UploadedPart, StoreError>.self) { group -> Result<[S3UploadedPart], StoreError> in
            var next = 0
            var parts: [S3UploadedPart] = []
            var failure: StoreError?
            func startNext() {
                guard next < numbers.count, failure == nil else { return }
                let number = numbers[next]
                next += 1
                let offset = Int64(number - 1) * partSize
                let region = FileRegion(file: file, offset: offset, length: min(partSize, file.size - offset))
                group.addTask {
                    do throws(StoreError) {
                        return .success(try await store.uploadPart(key, uploadID: uploadID, number: number, region: region))
                    } catch {
                        return .failure(error)
                    }
                }
            }
            for _ in 0..<width { startNext() }
            while let result = await group.next() {
                switch result {
                case .success(let part):
                    parts.append(part)
                    sent(part.size)
                case .failure(let error):
                    // The first failure stops new parts; those in flight finish.
                    if failure == nil { failure = error }
                }
                startNext()
            }
            if let failure { return .failure(failure) }
            return .success(parts)
        }
        return try result.get()
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
                response = try await send(method: "GET", key: key.prefixed(by: configuration.prefix),
                                          headers: receiver.resumeRange.map { [$0] } ?? [], bodyReceiver: receiver, what: what)
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
