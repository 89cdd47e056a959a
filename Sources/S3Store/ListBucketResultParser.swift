import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// XMLParser delegate collecting `Contents` entries, `CommonPrefixes` and the paging fields.
final class ListBucketResultParser: NSObject, XMLParserDelegate {
    var result = ListBucketResult()
    var sawRoot = false
    /// Whether the root element was closed. FoundationXML's `parse()` returns
    /// true for a document cut short, so a truncated body would otherwise read
    /// as a complete page holding only the entries before the cut.
    var sawRootEnd = false
    private var current: ListBucketResult.Entry?
    /// Inside a `CommonPrefixes` element, where `Prefix` names a folder (the
    /// top-level `Prefix` echoes the request).
    private var inCommonPrefixes = false
    private var text = ""

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        text = ""
        if name == "ListBucketResult" { sawRoot = true }
        if name == "Contents" { current = ListBucketResult.Entry() }
        if name == "CommonPrefixes" { inCommonPrefixes = true }
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
        case "Prefix" where inCommonPrefixes: result.commonPrefixes.append(text)
        case "CommonPrefixes": inCommonPrefixes = false
        case "ListBucketResult": sawRootEnd = true
        case "IsTruncated": result.isTruncated = text == "true"
        case "NextContinuationToken": result.nextContinuationToken = text
        default: break
        }
        text = ""
    }
}
