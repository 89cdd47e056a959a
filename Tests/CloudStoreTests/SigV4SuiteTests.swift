import CloudHTTP
import Foundation
import S3Store
import Testing

/// Our signer against AWS's published SigV4 vectors (Fixtures/sigv4): the
/// canonical request, string to sign and Authorization header must all match
/// byte for byte.
@Suite struct SigV4SuiteTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/sigv4")
    static let credentials = AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")

    static var cases: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: fixtures.path)) ?? []
        return names.filter { !$0.contains(".") && $0 != "LICENSE" && $0 != "NOTICE" }.sorted()
    }

    /// A `.req` file: request line, `Name:value` headers, blank line, body.
    struct RawRequest {
        var method = ""
        var path = ""
        var query: [(name: String, value: String)] = []
        var headers: [(name: String, value: String)] = []
        var body = Data()

        init(_ text: String) {
            let (head, body) = text.range(of: "\n\n").map { (String(text[..<$0.lowerBound]), String(text[$0.upperBound...])) } ?? (text, "")
            self.body = Data(body.utf8)
            var lines = head.components(separatedBy: "\n")
            let requestLine = lines.removeFirst().split(separator: " ")
            method = String(requestLine[0])
            let target = requestLine[1...].dropLast().joined(separator: " ")
            let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
            path = String(parts[0])
            if parts.count > 1 {
                query = parts[1].split(separator: "&").map { pair in
                    let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                    return (name: String(kv[0]), value: kv.count > 1 ? String(kv[1]) : "")
                }
            }
            for line in lines {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers.append((name: String(line[..<colon]), value: String(line[line.index(after: colon)...])))
            }
        }
    }

    @Test func suiteIsPresent() {
        #expect(Self.cases.count >= 10, "Fixtures/sigv4 should hold the vectors")
    }

    @Test(arguments: cases)
    func matchesPublishedVector(_ name: String) throws {
        let folder = Self.fixtures.appendingPathComponent(name)
        func read(_ ext: String) throws -> String {
            try String(contentsOf: folder.appendingPathComponent("\(name).\(ext)"), encoding: .utf8)
        }
        let request = RawRequest(try read("req"))
        var credentials = Self.credentials
        if name.hasSuffix("with-session-token") {
            credentials.sessionToken = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"
        }
        let signer = SigV4Signer(credentials: credentials, region: "us-east-1", service: "service")
        let signed = signer.sign(method: request.method, path: request.path, query: request.query,
                                 headers: request.headers, payloadHash: Digest.sha256(request.body).hexString,
                                 date: Date(timeIntervalSince1970: 0))
        #expect(signed.canonicalRequest == (try read("creq")))
        #expect(signed.stringToSign == (try read("sts")))
        #expect(signed.authorization == (try read("authz")))
    }

    @Test func signingKeyMatchesAWSDocumentedExample() {
        // From AWS's "Examples of how to derive a signing key" (iam, 20150830).
        let signer = SigV4Signer(credentials: Self.credentials, region: "us-east-1", service: "iam")
        #expect(signer.signingKey(day: "20150830").hexString == "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9")
    }

    @Test func aWrongSecretChangesTheSignature() throws {
        let request = RawRequest(try String(contentsOf: Self.fixtures.appendingPathComponent("get-vanilla/get-vanilla.req"), encoding: .utf8))
        let wrong = SigV4Signer(credentials: AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wrong"), region: "us-east-1", service: "service")
        let signed = wrong.sign(method: request.method, path: request.path, query: request.query, headers: request.headers,
                                payloadHash: Digest.sha256(Data()).hexString, date: Date())
        let expected = try String(contentsOf: Self.fixtures.appendingPathComponent("get-vanilla/get-vanilla.authz"), encoding: .utf8)
        #expect(signed.authorization != expected)
    }
}
