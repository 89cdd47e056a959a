import Foundation

/// What a ListObjectsV2 body may hold before it reaches FoundationXML's
/// XMLParser: valid UTF-8, an optional XML declaration at the very start, and
/// otherwise only elements, text and entity references.
///
/// FoundationXML crashes on some inputs libxml2 accepts (both found by
/// fuzz-s3-listing): it traps on an element name that is not valid UTF-8,
/// and dereferences NULL on a processing instruction without data
/// (`<?x?>`). S3 never sends processing instructions, DOCTYPEs, comments or
/// CDATA, so anything starting `<?` (after the declaration) or `<!` is
/// refused here, which also keeps the rest of XMLParser's callbacks (DTD,
/// entity and notation declarations) out of reach of a hostile endpoint.
enum ListingMarkup {
    static func isPlain(_ xml: Data) -> Bool {
        // Decoding repairs invalid sequences, so equal bytes mean valid UTF-8.
        guard String(decoding: xml, as: UTF8.self).utf8.elementsEqual(xml) else { return false }
        let bytes = [UInt8](xml)
        var i = 0
        if bytes.starts(with: Array("<?xml".utf8)), bytes.count > 5, [0x20, 0x09, 0x0D, 0x0A].contains(bytes[5]) {
            // Skip the declaration: it ends at the first "?>" and holds no
            // markup ("<?xml version=\"<?x?>" hid a processing instruction
            // inside it from an earlier version of this check).
            i = 5
            while i + 1 < bytes.count, !(bytes[i] == 0x3F && bytes[i + 1] == 0x3E) {
                if bytes[i] == 0x3C || bytes[i] == 0x3E { return false }
                i += 1
            }
            guard i + 1 < bytes.count else { return false }
            i += 2
        }
        while i + 1 < bytes.count {
            if bytes[i] == 0x3C, bytes[i + 1] == 0x3F || bytes[i + 1] == 0x21 { return false }
            i += 1
        }
        return true
    }
}
