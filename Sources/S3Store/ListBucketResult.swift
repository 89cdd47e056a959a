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
    var isTruncated = false
    var nextContinuationToken: String?

    /// Parses the XML, or returns nil when it is not a whole ListBucketResult.
    init?(xml: Data) {
        // FoundationXML traps on an element name that is not valid UTF-8
        // (found by fuzz-s3-listing), so a hostile or broken endpoint could
        // crash the client. S3 always answers in UTF-8: anything else is not
        // a listing. Decoding repairs invalid sequences, so equal bytes mean valid.
        guard String(decoding: xml, as: UTF8.self).utf8.elementsEqual(xml) else { return nil }
        let delegate = ListBucketResultParser()
        let parser = XMLParser(data: xml)
        parser.delegate = delegate
        guard parser.parse(), delegate.sawRoot, delegate.sawRootEnd else { return nil }
        self = delegate.result
    }

    init() {}
}
