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

    /// Parses the XML, or returns nil when it is not a ListBucketResult.
    init?(xml: Data) {
        let delegate = ListBucketResultParser()
        let parser = XMLParser(data: xml)
        parser.delegate = delegate
        guard parser.parse(), delegate.sawRoot else { return nil }
        self = delegate.result
    }

    fileprivate init() {}
}

/// XMLParser delegate collecting `Contents` entries and the paging fields.
private final class ListBucketResultParser: NSObject, XMLParserDelegate {
    var result = ListBucketResult()
    var sawRoot = false
    private var current: ListBucketResult.Entry?
    private var text = ""

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        text = ""
        if name == "ListBucketResult" { sawRoot = true }
        if name == "Contents" { current = ListBucketResult.Entry() }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        text += string
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        switch name {
        case "Key": current?.key = text
        case "Size": current?.size = Int(text) ?? 0
        case "ETag": current?.etag = text
        case "Contents":
            if let entry = current { result.entries.append(entry) }
            current = nil
        case "IsTruncated": result.isTruncated = text == "true"
        case "NextContinuationToken": result.nextContinuationToken = text
        default: break
        }
        text = ""
    }
}
