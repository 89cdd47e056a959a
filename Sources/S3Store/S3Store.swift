import CloudHTTP
import Foundation
import ObjectStore

/// A write-once store in an S3-compatible bucket (AWS S3, MinIO, Ceph, R2,
/// GCS interoperability), over libcurl with SigV4.
///
/// Creates use `If-None-Match: *`; a 412 (or the 304 some MinIO versions
/// send) means the key is taken, and the stored bytes are fetched and compared.
public struct S3Store: ObjectStore {
    public let configuration: S3Configuration
    let signer: SigV4Signer

    public init(_ configuration: S3Configuration) {
        self.configuration = configuration
        self.signer = SigV4Signer(credentials: configuration.credentials, region: configuration.region)
    }

    public var locationDescription: String { "s3://\(configuration.bucket)/\(configuration.prefix)" }

    /// Bucket notifications through SNS to a queue per reader (``S3Notifications``).
    public var notifications: (any StoreNotifications)? { S3Notifications(store: self) }

    public func list(prefix: String, startAfter: String?) async throws(StoreError) -> [ObjectInfo] {
        try await pages(prefix: prefix, startAfter: startAfter, delimited: false).objects
    }

    public func listFolders(prefix: String) async throws(StoreError) -> [String] {
        try await pages(prefix: prefix, startAfter: nil, delimited: true).folders
    }

    /// Every page of a ListObjectsV2 listing; `delimited` asks for folders
    /// (`delimiter=/`) instead of the objects inside them.
    private func pages(prefix: String, startAfter: String?, delimited: Bool) async throws(StoreError) -> (objects: [ObjectInfo], folders: [String]) {
        try ObjectKey.validatePrefix(prefix)
        let storePrefix = configuration.prefix
        let what = "listing \"\(prefix)\" in \(locationDescription)"
        return try await S3ListPage.collect { (token) async throws(StoreError) -> S3ListPage in
            var query: [(name: String, value: String)] = [
                (name: "list-type", value: "2"),
                (name: "prefix", value: storePrefix + prefix),
                (name: "max-keys", value: String(configuration.pageSize)),
            ]
            if delimited { query.append((name: "delimiter", value: "/")) }
            if let token { query.append((name: "continuation-token", value: token)) }
            if let startAfter { query.append((name: "start-after", value: storePrefix + startAfter)) }
            let response = try await send(method: "GET", key: nil, query: query, what: what)
            guard response.status == 200 else { throw failure(response, what: what, key: nil) }
            guard let page = S3ListPage(xml: response.body, storePrefix: storePrefix) else {
                throw StoreError(.badResponse, "The server answered \(what) with something that is not a ListObjectsV2 result. Check that the endpoint is S3-compatible.", cause: HTTPStatus(response))
            }
            return page
        }
    }

    public func get(_ key: ObjectKey) async throws(StoreError) -> Data {
        let what = "reading \"\(key)\" from \(locationDescription)"
        let response = try await send(method: "GET", key: key.prefixed(by: configuration.prefix), what: what)
        guard response.status == 200 else { throw failure(response, what: what, key: key) }
        return response.body
    }

    public func head(_ key: ObjectKey) async throws(StoreError) -> ObjectInfo? {
        let what = "inspecting \"\(key)\" in \(locationDescription)"
        let response = try await send(method: "HEAD", key: key.prefixed(by: configuration.prefix), what: what)
        if response.status == 404 { return nil }
        guard response.status == 200 else { throw failure(response, what: what, key: key) }
        let size = response.header("content-length").flatMap { Int($0) } ?? 0
        return ObjectInfo(key: key.rawValue, size: size, etag: response.header("etag") ?? "")
    }

    public func putIfAbsent(_ key: ObjectKey, _ bytes: Data) async throws(StoreError) -> PutOutcome {
        guard try await createOnce(key, bytes) else {
            let existing = try await get(key)
            return .alreadyExists(sameBytes: existing == bytes)
        }
        return .created
    }

    /// One conditional PUT (`If-None-Match: *`): true when it created the
    /// object, false when the key was taken.
    func createOnce(_ key: ObjectKey, _ bytes: Data) async throws(StoreError) -> Bool {
        let what = "creating \"\(key)\" in \(locationDescription)"
        var headers: [(name: String, value: String)] = [
            (name: "Content-Type", value: "application/octet-stream"),
            (name: "Content-MD5", value: Digest.md5(bytes).base64EncodedString()),
            (name: "If-None-Match", value: "*"),
        ]
        if let lock = configuration.objectLock { headers += lock.headers(now: Date()) }
        // A concurrent conditional write to the same key can answer 409
        // (ConditionalRequestConflict); wait and try again, then compare.
        for attempt in 1...configuration.client.retry.maxAttempts {
            let response = try await send(method: "PUT", key: key.prefixed(by: configuration.prefix), headers: headers, body: bytes, what: what)
            switch response.status {
            case 200, 201:
                return true
            case 412, 304:
                return false
            case 409 where attempt < configuration.client.retry.maxAttempts:
                try? await Task.sleep(for: configuration.client.retry.delay(afterAttempt: attempt))
            default:
                throw failure(response, what: what, key: key)
            }
        }
        throw StoreError(.preconditionFailed, "Kept conflicting with another writer while \(what). Try again.")
    }

    /// Signs and sends one request, re-signing on each retry. `upload`, when
    /// given, is the body instead of `body`: a file region streamed as it is
    /// sent, signed with its SHA-256 (computed beforehand, in chunks).
    func send(method: String, key: String?, query: [(name: String, value: String)] = [],
              headers: [(name: String, value: String)] = [], body: Data = Data(),
              upload: (region: FileRegion, digests: RegionDigests)? = nil,
              bodyReceiver: (any HTTPBodyReceiver)? = nil, what: String) async throws(StoreError) -> HTTPResponse {
        let payloadHash = (upload?.digests.sha256 ?? Digest.sha256(body)).hexString
        let configuration = self.configuration
        let signer = self.signer
        // BUCKETCHAT_DEBUG_SIGV4=1 prints each canonical request, to compare
        // with what a server that rejects the signature expected.
        let debugSigning = ProcessInfo.processInfo.environment["BUCKETCHAT_DEBUG_SIGV4"] != nil
        return try await configuration.client.send(what: what) { () throws(StoreError) -> HTTPRequest in
            var all = headers
            all.append((name: "Host", value: configuration.hostHeader))
            all.append((name: "x-amz-content-sha256", value: payloadHash))
            let signature = signer.sign(method: method, path: configuration.path(forKey: key), query: query,
                                        headers: all, payloadHash: payloadHash, date: Date())
            if debugSigning {
                FileHandle.standardError.write(Data("SigV4 canonical request:\n\(signature.canonicalRequest)\n".utf8))
            }
            let url = configuration.origin + signature.encodedPath + (signature.encodedQuery.isEmpty ? "" : "?" + signature.encodedQuery)
            return HTTPRequest(method: method, url: url, headers: signature.headers, body: body, bodyReceiver: bodyReceiver,
                               bodyRegion: upload?.region)
        }
    }
}
