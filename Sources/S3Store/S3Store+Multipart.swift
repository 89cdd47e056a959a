import CloudHTTP
import Foundation
import ObjectStore

/// The multipart upload calls, one request each. Every call names the upload
/// and the key in its errors; 403s say which permission the multipart path
/// needs beyond s3:PutObject.
extension S3Store {
    /// The uploads S3 holds open for exactly `key` (not keys it prefixes), oldest first.
    func pendingUploads(for key: ObjectKey) async throws(StoreError) -> [S3PendingUpload] {
        let fullKey = key.prefixed(by: configuration.prefix)
        let what = "listing unfinished uploads of \"\(key)\" in \(locationDescription)"
        var uploads: [S3PendingUpload] = []
        var markers: (key: String, uploadID: String)?
        while true {
            var query: [(name: String, value: String)] = [(name: "prefix", value: fullKey), (name: "uploads", value: "")]
            if let markers {
                query += [(name: "key-marker", value: markers.key), (name: "upload-id-marker", value: markers.uploadID)]
            }
            let response = try await send(method: "GET", key: nil, query: query, what: what)
            guard response.status == 200 else { throw multipartFailure(response, what: what, key: key) }
            let text = String(decoding: response.body, as: UTF8.self)[...]
            for block in S3MultipartMarkup.blocks("Upload", in: text) {
                guard let name = S3MultipartMarkup.element("Key", in: block), name == fullKey,
                      let id = S3MultipartMarkup.element("UploadId", in: block) else { continue }
                uploads.append(S3PendingUpload(key: name, uploadID: id, initiated: S3MultipartMarkup.element("Initiated", in: block) ?? ""))
            }
            guard S3MultipartMarkup.element("IsTruncated", in: text) == "true",
                  let nextKey = S3MultipartMarkup.element("NextKeyMarker", in: text),
                  let nextID = S3MultipartMarkup.element("NextUploadIdMarker", in: text),
                  (nextKey, nextID) != (markers?.key ?? "", markers?.uploadID ?? "") else { break }
            markers = (nextKey, nextID)
        }
        return uploads.sorted { $0.initiated < $1.initiated }
    }

    /// The parts an open upload holds; nil when S3 no longer knows the upload.
    func uploadedParts(of key: ObjectKey, uploadID: String) async throws(StoreError) -> [Int: S3UploadedPart]? {
        let what = "listing the parts of an unfinished upload of \"\(key)\" in \(locationDescription)"
        var parts: [Int: S3UploadedPart] = [:]
        var marker: String?
        while true {
            var query: [(name: String, value: String)] = [(name: "uploadId", value: uploadID)]
            if let marker { query.append((name: "part-number-marker", value: marker)) }
            let response = try await send(method: "GET", key: key.prefixed(by: configuration.prefix), query: query, what: what)
            if response.status == 404 { return nil }
            guard response.status == 200 else { throw multipartFailure(response, what: what, key: key) }
            let text = String(decoding: response.body, as: UTF8.self)[...]
            for block in S3MultipartMarkup.blocks("Part", in: text) {
                guard let number = S3MultipartMarkup.element("PartNumber", in: block).flatMap({ Int($0) }),
                      let etag = S3MultipartMarkup.element("ETag", in: block),
                      let size = S3MultipartMarkup.element("Size", in: block).flatMap({ Int64($0) }) else { continue }
                parts[number] = S3UploadedPart(number: number, etag: etag, size: size)
            }
            guard S3MultipartMarkup.element("IsTruncated", in: text) == "true",
                  let next = S3MultipartMarkup.element("NextPartNumberMarker", in: text), next != marker else { break }
            marker = next
        }
        return parts
    }

    /// CreateMultipartUpload; returns the upload id.
    func createUpload(_ key: ObjectKey) async throws(StoreError) -> String {
        let what = "starting a multipart upload of \"\(key)\" in \(locationDescription)"
        var headers: [(name: String, value: String)] = [(name: "Content-Type", value: "application/octet-stream")]
        // Retention is set when the upload starts; the completed object gets it.
        if let lock = configuration.objectLock { headers += lock.headers(now: Date()) }
        let response = try await send(method: "POST", key: key.prefixed(by: configuration.prefix),
                                      query: [(name: "uploads", value: "")], headers: headers, what: what)
        guard response.status == 200 else { throw multipartFailure(response, what: what, key: key) }
        guard let id = S3MultipartMarkup.element("UploadId", in: String(decoding: response.body, as: UTF8.self)[...]), !id.isEmpty else {
            throw StoreError(.badResponse, "The server answered \(what) without an upload id. Check that the endpoint supports S3 multipart uploads.", cause: HTTPStatus(response))
        }
        return id
    }

    /// UploadPart, with Content-MD5 (which Object Lock buckets require). The
    /// part is hashed from the file in chunks, then streamed from it: it is
    /// never in memory whole, and each retry reads it again.
    func uploadPart(_ key: ObjectKey, uploadID: String, number: Int, region: FileRegion) async throws(StoreError) -> S3UploadedPart {
        let what = "uploading part \(number) of \"\(key)\" to \(locationDescription)"
        let digests = try await region.digests()
        let response = try await send(method: "PUT", key: key.prefixed(by: configuration.prefix),
                                      query: [(name: "partNumber", value: String(number)), (name: "uploadId", value: uploadID)],
                                      headers: [(name: "Content-MD5", value: digests.md5.base64EncodedString())],
                                      upload: (region, digests), what: what)
        guard response.status == 200 else { throw multipartFailure(response, what: what, key: key) }
        guard let etag = response.header("etag") else {
            throw StoreError(.badResponse, "The server answered \(what) without an ETag. Check that the endpoint supports S3 multipart uploads.", cause: HTTPStatus(response))
        }
        return S3UploadedPart(number: number, etag: etag, size: region.length)
    }

    /// What CompleteMultipartUpload found.
    enum Completion {
        case created
        /// `If-None-Match: *` failed: the key was taken meanwhile.
        case keyTaken
        /// S3 no longer knows the upload (completed by a try whose answer was lost, or aborted).
        case uploadGone
    }

    /// CompleteMultipartUpload with `If-None-Match: *`, so completing never
    /// replaces an object created since the upload began (AWS and moto both
    /// honour the condition here).
    func completeUpload(_ key: ObjectKey, uploadID: String, parts: [S3UploadedPart]) async throws(StoreError) -> Completion {
        let what = "completing the multipart upload of \"\(key)\" to \(locationDescription)"
        var xml = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        for part in parts.sorted(by: { $0.number < $1.number }) {
            xml += "<Part><PartNumber>\(part.number)</PartNumber><ETag>\(S3MultipartMarkup.escape(part.etag))</ETag></Part>"
        }
        xml += "</CompleteMultipartUpload>"
        let body = Data(xml.utf8)
        let maxAttempts = configuration.client.retry.maxAttempts
        for attempt in 1...maxAttempts {
            let response = try await send(method: "POST", key: key.prefixed(by: configuration.prefix),
                                          query: [(name: "uploadId", value: uploadID)],
                                          headers: [(name: "Content-Type", value: "application/xml"), (name: "If-None-Match", value: "*")],
                                          body: body, what: what)
            // S3 can answer 200 and then an <Error> document, when it failed
            // after starting its answer; that is a retryable server error.
            let isError = response.status == 200 && S3ErrorBody(response.body).code != ""
            switch response.status {
            case 200 where !isError:
                return .created
            case 412:
                return .keyTaken
            case 404 where S3ErrorBody(response.body).code == "NoSuchUpload":
                return .uploadGone
            case 409 where attempt < maxAttempts, 200 where attempt < maxAttempts:
                try? await Task.sleep(for: configuration.client.retry.delay(afterAttempt: attempt))
            default:
                throw multipartFailure(response, what: what, key: key)
            }
        }
        throw StoreError(.serverError, "Kept failing while \(what). Try again; the parts already sent are kept for the next try.")
    }

    /// AbortMultipartUpload: S3 drops the upload's parts. An upload already
    /// gone counts as aborted.
    func abortUpload(_ key: ObjectKey, uploadID: String) async throws(StoreError) {
        let what = "abandoning an unfinished upload of \"\(key)\" in \(locationDescription)"
        let response = try await send(method: "DELETE", key: key.prefixed(by: configuration.prefix),
                                      query: [(name: "uploadId", value: uploadID)], what: what)
        guard [200, 204, 404].contains(response.status) else { throw multipartFailure(response, what: what, key: key) }
    }

    /// `failure`, with the permissions multipart uploads need named on a 403.
    func multipartFailure(_ response: HTTPResponse, what: String, key: ObjectKey) -> StoreError {
        let error = failure(response, what: what, key: key)
        guard response.status == 403, error.code == .accessDenied, S3ErrorBody(response.body).code == "AccessDenied" else { return error }
        return StoreError(.accessDenied, "Access denied while \(what). Files of \(configuration.multipartThreshold) bytes or more go up as multipart uploads: the credentials' policy must allow s3:PutObject, s3:AbortMultipartUpload, s3:ListMultipartUploadParts and s3:ListBucketMultipartUploads on bucket \"\(configuration.bucket)\" (see docs/deployment.md).", cause: error.cause)
    }
}
