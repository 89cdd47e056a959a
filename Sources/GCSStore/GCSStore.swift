import CloudHTTP
import Foundation
import ObjectStore

/// A write-once store in a Google Cloud Storage bucket, over the JSON API.
///
/// Creates are multipart uploads with `ifGenerationMatch=0` (only the
/// multipart form is honoured by fake-gcs-server too); a 412 means the name is
/// taken, and the stored bytes are fetched and compared.
public struct GCSStore: ObjectStore {
    public let configuration: GCSConfiguration
    let tokens: GoogleTokenSource

    public init(_ configuration: GCSConfiguration) {
        self.configuration = configuration
        self.tokens = GoogleTokenSource(credentials: configuration.credentials, client: configuration.client)
    }

    public var locationDescription: String { "gs://\(configuration.bucket)/\(configuration.prefix)" }

    /// Pub/Sub notifications (``GCSNotifications``), when a project is
    /// known to hold their topic (`GOOGLE_CLOUD_PROJECT`, the key's project).
    public var notifications: (any StoreNotifications)? {
        configuration.pubsubProject.map { GCSNotifications(store: self, project: $0) }
    }

    var bucketPath: String { "\(configuration.endpoint)/storage/v1/b/\(PercentEncoding.encode(configuration.bucket))" }

    func objectURL(_ key: ObjectKey, query: String = "") -> String {
        // Object names go in one path segment, slashes encoded.
        bucketPath + "/o/" + PercentEncoding.encode(key.prefixed(by: configuration.prefix)) + (query.isEmpty ? "" : "?" + query)
    }

    public func list(prefix: String, startAfter: String?) async throws(StoreError) -> [ObjectInfo] {
        try await pages(prefix: prefix, startAfter: startAfter, delimited: false).objects
    }

    public func listFolders(prefix: String) async throws(StoreError) -> [String] {
        try await pages(prefix: prefix, startAfter: nil, delimited: true).folders
    }

    /// Every page of an object list; `delimited` asks for folders
    /// (`delimiter=/`) instead of the objects inside them.
    private func pages(prefix: String, startAfter: String?, delimited: Bool) async throws(StoreError) -> (objects: [ObjectInfo], folders: [String]) {
        try ObjectKey.validatePrefix(prefix)
        let storePrefix = configuration.prefix
        let what = "listing \"\(prefix)\" in \(locationDescription)"
        let listing = try await GCSListPage.collect { (token) async throws(StoreError) -> GCSListPage in
            var query: [(name: String, value: String)] = [
                (name: "prefix", value: storePrefix + prefix),
                (name: "maxResults", value: String(configuration.pageSize)),
                (name: "fields", value: "items(name,size,etag),prefixes,nextPageToken"),
            ]
            if delimited { query.append((name: "delimiter", value: "/")) }
            if let token { query.append((name: "pageToken", value: token)) }
            // startOffset is inclusive; the bound itself is dropped below.
            if let startAfter { query.append((name: "startOffset", value: storePrefix + startAfter)) }
            let response = try await send(HTTPRequest(method: "GET", url: bucketPath + "/o?" + PercentEncoding.query(query)), what: what)
            guard response.status == 200 else { throw failure(response, what: what, key: nil) }
            guard let page = GCSListPage(json: response.body, storePrefix: storePrefix) else {
                throw StoreError(.badResponse, "The server answered \(what) with something that is not a GCS object list. Check the endpoint.", cause: HTTPStatus(response))
            }
            return page
        }
        return (listing.objects.filter { $0.isAfter(startAfter) }, listing.folders)
    }

    public func get(_ key: ObjectKey) async throws(StoreError) -> Data {
        let what = "reading \"\(key)\" from \(locationDescription)"
        let response = try await send(HTTPRequest(method: "GET", url: objectURL(key, query: "alt=media")), what: what)
        guard response.status == 200 else { throw failure(response, what: what, key: key) }
        return response.body
    }

    public func head(_ key: ObjectKey) async throws(StoreError) -> ObjectInfo? {
        let what = "inspecting \"\(key)\" in \(locationDescription)"
        let response = try await send(HTTPRequest(method: "GET", url: objectURL(key, query: "fields=name,size,etag")), what: what)
        if response.status == 404, !isMissingBucket(response) { return nil }
        guard response.status == 200 else { throw failure(response, what: what, key: key) }
        struct Metadata: Decodable {
            let size: String?
            let etag: String?
        }
        guard let metadata = try? JSONDecoder().decode(Metadata.self, from: response.body) else {
            throw StoreError(.badResponse, "The server answered \(what) with unreadable metadata.", cause: HTTPStatus(response))
        }
        return ObjectInfo(key: key.rawValue, size: metadata.size.flatMap { Int($0) } ?? 0, etag: metadata.etag ?? "")
    }

    public func putIfAbsent(_ key: ObjectKey, _ bytes: Data) async throws(StoreError) -> PutOutcome {
        guard try await createOnce(key, bytes) else {
            let existing = try await get(key)
            return .alreadyExists(sameBytes: existing == bytes)
        }
        return .created
    }

    /// One multipart upload with `ifGenerationMatch=0`: true when it created
    /// the object, false when the name was taken.
    func createOnce(_ key: ObjectKey, _ bytes: Data) async throws(StoreError) -> Bool {
        let what = "creating \"\(key)\" in \(locationDescription)"
        let boundary = "bucketchat-" + UUID().uuidString
        var body = Data("--\(boundary)\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n".utf8)
        body.append(metadata(for: key))
        body.append(Data("\r\n--\(boundary)\r\nContent-Type: application/octet-stream\r\n\r\n".utf8))
        body.append(bytes)
        body.append(Data("\r\n--\(boundary)--\r\n".utf8))
        let request = HTTPRequest(method: "POST", url: uploadURL(type: "multipart"),
                                  headers: [(name: "Content-Type", value: "multipart/related; boundary=\(boundary)")],
                                  body: body)
        let response = try await send(request, what: what)
        switch response.status {
        case 200, 201:
            return true
        case 412:
            return false
        default:
            throw failure(response, what: what, key: key)
        }
    }

    /// The JSON metadata of a new object: its name.
    func metadata(for key: ObjectKey) -> Data {
        (try? JSONSerialization.data(withJSONObject: ["name": key.prefixed(by: configuration.prefix)])) ?? Data()
    }

    /// The upload endpoint, create-only (`ifGenerationMatch=0`).
    func uploadURL(type: String) -> String {
        "\(configuration.endpoint)/upload/storage/v1/b/\(PercentEncoding.encode(configuration.bucket))/o?uploadType=\(type)&ifGenerationMatch=0"
    }

    /// Sends with the current bearer token, retrying per the client's policy.
    func send(_ request: HTTPRequest, what: String) async throws(StoreError) -> HTTPResponse {
        var request = request
        if let authorization = try await tokens.authorization() {
            request.headers.append((name: "Authorization", value: authorization))
        }
        return try await configuration.client.send(request, what: what)
    }
}
