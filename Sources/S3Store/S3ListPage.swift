import Foundation
import ObjectStore

/// One ListObjectsV2 page as `S3Store.list` reads it: the objects (and, for a
/// delimited listing, the folders) under the store prefix, with keys made
/// relative to it, and the token for the next page.
///
/// Public so the libFuzzer target in `Fuzz/` can feed it arbitrary bytes
/// through the same code the store runs; the store is its only other user.
public struct S3ListPage: ListingPage, Equatable {
    public let objects: [ObjectInfo]
    /// The folders of a delimited listing (`CommonPrefixes`), relative to the store prefix.
    public let folders: [String]
    /// nil on the last page. An empty token counts as none: sending it back
    /// would ask for the first page again and list forever.
    public let nextToken: String?

    /// Parses a response body; nil when it is not a ListBucketResult.
    public init?(xml: Data, storePrefix: String) {
        guard let page = ListBucketResult(xml: xml) else { return nil }
        objects = page.entries.filter { $0.key.hasPrefix(storePrefix) }.map {
            ObjectInfo(key: String($0.key.dropFirst(storePrefix.count)), size: $0.size, etag: $0.etag)
        }
        folders = page.commonPrefixes.filter { $0.hasPrefix(storePrefix) }.map { String($0.dropFirst(storePrefix.count)) }
        nextToken = page.isTruncated ? page.nextContinuationToken.flatMap { $0.isEmpty ? nil : $0 } : nil
    }
}
