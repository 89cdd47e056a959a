import Foundation

/// Reads the few fields the multipart calls answer with
/// (CreateMultipartUpload, ListMultipartUploads, ListParts).
///
/// These documents are flat and small, and only named elements' text is
/// wanted, so they are cut by name, as `S3ErrorBody` does, rather than
/// handed to XMLParser (see ListingMarkup for what that parser trips on).
enum S3MultipartMarkup {
    /// The text of the first `<name>` element in `text`, entities decoded.
    static func element(_ name: String, in text: Substring) -> String? {
        guard let start = text.range(of: "<\(name)>"),
              let end = text.range(of: "</\(name)>", range: start.upperBound..<text.endIndex) else { return nil }
        return unescape(text[start.upperBound..<end.lowerBound])
    }

    /// Every `<name>…</name>` block in `text`, in order.
    static func blocks(_ name: String, in text: Substring) -> [Substring] {
        var out: [Substring] = []
        var rest = text[...]
        while let start = rest.range(of: "<\(name)>"),
              let end = rest.range(of: "</\(name)>", range: start.upperBound..<rest.endIndex) {
            out.append(rest[start.upperBound..<end.lowerBound])
            rest = rest[end.upperBound...]
        }
        return out
    }

    static func unescape(_ text: Substring) -> String {
        guard text.contains("&") else { return String(text) }
        return text.replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&#34;", with: "\"")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;")
            .replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
