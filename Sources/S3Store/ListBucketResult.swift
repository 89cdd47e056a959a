import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// One parsed ListObjectsV2 page.
struct ListBucketResult {
    struct Entry {
        var key = ""
        var size = 0
        var etag = ""
    }

    var entries: [Entry] = []
    /// `CommonPrefixes/Prefix` values: the folders of a delimited listing.
    var commonPrefixes: [String] = []
    var isTruncated = false
    var nextContinuationToken: String?

    /// Parses the XML, or returns nil when it is not a whole ListBucketResult.
    init?(xml: Data) {
        // FoundationXML crashes on some bodies libxml2 accepts; a hostile or
        // broken endpoint must not crash the client (see ListingMarkup).
        guard ListingMarkup.isPlain(xml) else { return nil }
        let delegate = ListBucketResultParser()
        let parser = XMLParser(data: xml)
        parser.delegate = delegate
        guard parser.parse(), delegate.sawRoot, delegate.sawRootEnd else { return nil }
        self = delegate.result
    }

    init() {}
}
