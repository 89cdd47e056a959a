import Foundation

/// The `<Error><Code>…</Code><Message>…</Message></Error>` body S3 returns.
struct S3ErrorBody {
    let code: String
    let message: String
    /// The server's clock, which S3 adds to `RequestTimeTooSkewed`.
    let serverTime: String?

    init(_ body: Data) {
        let text = String(decoding: body, as: UTF8.self)
        code = Self.element("Code", in: text) ?? ""
        message = Self.element("Message", in: text) ?? ""
        serverTime = Self.element("ServerTime", in: text)
    }

    private static func element(_ name: String, in text: String) -> String? {
        guard let start = text.range(of: "<\(name)>"),
              let end = text.range(of: "</\(name)>", range: start.upperBound..<text.endIndex) else { return nil }
        return String(text[start.upperBound..<end.lowerBound])
    }
}
