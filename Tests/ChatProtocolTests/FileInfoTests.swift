import Foundation
import Testing
@testable import ChatProtocol

/// `m.file` content: the strict rules for a shared file's name, media type
/// and size (docs/protocol-decisions.md, "Attachments"), and the streaming hash.
@Suite struct FileInfoTests {
    static let sha = String(repeating: "ab", count: 32)

    static func content(name: String = "report.pdf", size: JSONValue = .int(12), mimetype: String = "application/pdf",
                        sha256: String = sha) -> JSONObject {
        JSONObject([("body", "report"), ("msgtype", "m.file"), ("file", .object(JSONObject([
            ("name", .string(name)), ("size", size), ("mimetype", .string(mimetype)), ("sha256", .string(sha256)),
        ])))])
    }

    static func decode(_ content: JSONObject) throws(ProtocolError) -> MessageContent {
        guard case .message(let message) = try EventContent(type: EventType.message, content: content) else {
            throw ProtocolError(.schema, "not a message")
        }
        return message
    }

    static func isSchemaError(_ content: JSONObject) -> Bool {
        do {
            _ = try decode(content)
            return false
        } catch {
            return error.code == .schema
        }
    }

    @Test(arguments: ["report.pdf", "a", "..x", "x..", ".hidden", "naïve café.txt", "日本語.png", "a b", String(repeating: "é", count: 127)])
    func validNamesAreAccepted(_ name: String) throws {
        #expect(MessageContent.FileInfo.nameProblem(name) == nil)
        #expect(try Self.decode(Self.content(name: name)).file?.name == name)
    }

    @Test(arguments: ["", ".", "..", "../x", "a/b", "/etc", "a\\b", "line\nbreak", "nul\u{0}", "tab\t", "del\u{7F}", "c1\u{85}",
                      "evil\u{202E}txt.exe", "iso\u{2066}late", "pop\u{2069}", String(repeating: "x", count: 256), String(repeating: "é", count: 150)])
    func invalidNamesAreSchemaErrors(_ name: String) {
        #expect(MessageContent.FileInfo.nameProblem(name) != nil, "\(name.debugDescription)")
        #expect(Self.isSchemaError(Self.content(name: name)), "\(name.debugDescription)")
    }

    @Test func threeHundredByteNameIsRefusedAndTwoFiftyFiveAccepted() {
        #expect(Self.isSchemaError(Self.content(name: String(repeating: "n", count: 300))))
        #expect(!Self.isSchemaError(Self.content(name: String(repeating: "n", count: 255))))
    }

    @Test(arguments: ["text/plain", "application/octet-stream", "image/svg+xml", "Text/Plain", "application/vnd.ms-excel", "x-foo/bar_baz"])
    func validMediaTypes(_ mimetype: String) {
        #expect(!Self.isSchemaError(Self.content(mimetype: mimetype)))
    }

    @Test(arguments: ["", "text", "text/", "/plain", "text/plain; charset=utf-8", "text/plain/x", "te xt/plain", "-text/plain", "text/pl\u{E9}in"])
    func invalidMediaTypes(_ mimetype: String) {
        #expect(Self.isSchemaError(Self.content(mimetype: mimetype)), "\(mimetype.debugDescription)")
    }

    @Test func sizeMustBeAnIntegerFromZeroToTwoToTheFiftyThreeMinusOne() {
        #expect(!Self.isSchemaError(Self.content(size: .int(0))))
        #expect(!Self.isSchemaError(Self.content(size: .int((1 << 53) - 1))))
        #expect(Self.isSchemaError(Self.content(size: .int(1 << 53))))
        #expect(Self.isSchemaError(Self.content(size: .int(-1))))
        #expect(Self.isSchemaError(Self.content(size: .string("12"))))
    }

    @Test func shaMustBeLowercaseHex() {
        #expect(Self.isSchemaError(Self.content(sha256: Self.sha.uppercased())))
        #expect(Self.isSchemaError(Self.content(sha256: String(Self.sha.dropLast()))))
    }

    @Test func jsonAndDecodeRoundTrip() throws {
        let file = MessageContent.FileInfo(name: "photo.jpg", size: 1_234_567, mimetype: "image/jpeg", sha256: Self.sha)
        let message = MessageContent(body: "holiday", msgtype: "m.file", file: file)
        let decoded = try Self.decode(message.json)
        #expect(decoded == message)
        #expect(CanonicalJSON.encode(.object(decoded.json)) == CanonicalJSON.encode(.object(message.json)))
        #expect(file.problem == nil)
    }

    @Test func streamingHashEqualsOneShotHash() {
        let bytes = (0..<100_003).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var stream = SHA256Stream()
        var start = 0
        for size in [0, 1, 63, 64, 65, 4096, 100_000] where start < bytes.count {
            let end = min(bytes.count, start + size)
            stream.update(Array(bytes[start..<end]))
            start = end
        }
        stream.update(Array(bytes[start...]))
        #expect(stream.finishHex() == SHA256.hexDigest(bytes))
        #expect(SHA256Stream().finishHex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }
}
