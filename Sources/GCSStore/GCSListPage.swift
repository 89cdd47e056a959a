import Foundation
import ObjectStore

/// One page of a GCS JSON API object list as `GCSStore.list` reads it: the
/// objects (and, for a delimited listing, the folders) under the store prefix, with names made relative to it, and the
/// token for the next page.
///
/// Public so the libFuzzer target in `Fuzz/` can feed it arbitrary bytes
/// through the same code the store runs; the store is its only other user.
public struct GCSListPage: ListingPage, Equatable {
    public let objects: [ObjectInfo]
    /// The folders of a delimited listing (`prefixes`), relative to the store prefix.
    public let folders: [String]
    /// nil on the last page (absent or empty `nextPageToken`).
    public let nextToken: String?

    /// The fields the list request asks for (`fields=items(name,size,etag),prefixes,nextPageToken`).
    private struct Body: Decodable {
        struct Item: Decodable {
            let name: String
            let size: String?
            let etag: String?
        }
        let items: [Item]?
        let prefixes: [String]?
        let nextPageToken: String?
    }

    /// Parses a response body; nil when it is not an object list.
    public init?(json: Data, storePrefix: String) {
        guard let body = try? JSONDecoder().decode(Body.self, from: json) else { return nil }
        objects = (body.items ?? []).filter { $0.name.hasPrefix(storePrefix) }.map {
            ObjectInfo(key: String($0.name.dropFirst(storePrefix.count)),
                       size: $0.size.flatMap { Int($0) } ?? 0, etag: $0.etag ?? "")
        }
        folders = (body.prefixes ?? []).filter { $0.hasPrefix(storePrefix) }.map { String($0.dropFirst(storePrefix.count)) }
        nextToken = body.nextPageToken.flatMap { $0.isEmpty ? nil : $0 }
    }
}
