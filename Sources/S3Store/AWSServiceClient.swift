import CloudHTTP
import Foundation
import ObjectStore

/// Calls to an AWS service other than S3 (SNS, SQS), signed with the same
/// ``SigV4Signer`` as every S3 request (with the service's own name in the
/// credential scope), over the same libcurl client.
///
/// SNS speaks the query protocol (`Action=…&Version=…` as a form POST, XML
/// answers); SQS the JSON protocol (`X-Amz-Target: AmazonSQS.Action`, JSON
/// both ways), which AWS made SQS's default in 2023 and moto serves too.
public struct AWSServiceClient: Sendable {
    /// The signing name: `sns` or `sqs`.
    public let service: String
    /// `scheme://host[:port]`, without a path.
    public let endpoint: String
    let signer: SigV4Signer
    let client: HTTPClient

    public init(service: String, endpoint: String, credentials: AWSCredentials, region: String, client: HTTPClient = HTTPClient()) {
        self.service = service
        self.endpoint = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
        self.signer = SigV4Signer(credentials: credentials, region: region, service: service)
        self.client = client
    }

    /// The endpoint AWS itself serves a service at in a region.
    public static func awsEndpoint(service: String, region: String) -> String {
        region.hasPrefix("cn-") ? "https://\(service).\(region).amazonaws.com.cn" : "https://\(service).\(region).amazonaws.com"
    }

    /// One query-protocol call (SNS): `Action`, `Version` and the parameters
    /// as a form body. Returns the answer whatever its status.
    public func query(_ action: String, version: String, _ parameters: [(name: String, value: String)], what: String) async throws(StoreError) -> HTTPResponse {
        let items = [(name: "Action", value: action), (name: "Version", value: version)] + parameters
        let body = Data(PercentEncoding.query(items).utf8)
        return try await post(body: body, headers: [(name: "Content-Type", value: "application/x-www-form-urlencoded; charset=utf-8")], what: what)
    }

    /// One JSON-protocol call (SQS): `target` is `AmazonSQS.ReceiveMessage` and the like.
    public func json(_ target: String, _ object: [String: Any], what: String) async throws(StoreError) -> HTTPResponse {
        let body: Data
        do {
            body = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        } catch {
            throw StoreError(.io, "Could not encode a request while \(what).", cause: nil)
        }
        return try await post(body: body, headers: [(name: "Content-Type", value: "application/x-amz-json-1.0"),
                                                     (name: "X-Amz-Target", value: target)], what: what)
    }

    private func post(body: Data, headers: [(name: String, value: String)], what: String) async throws(StoreError) -> HTTPResponse {
        let payloadHash = Digest.sha256(body).hexString
        let signer = self.signer
        let endpoint = self.endpoint
        let host = Self.hostHeader(endpoint)
        return try await client.send(what: what) { () throws(StoreError) -> HTTPRequest in
            var all = headers
            all.append((name: "Host", value: host))
            let signature = signer.sign(method: "POST", path: "/", query: [], headers: all, payloadHash: payloadHash, date: Date())
            return HTTPRequest(method: "POST", url: endpoint + "/", headers: signature.headers, body: body)
        }
    }

    static func hostHeader(_ endpoint: String) -> String {
        let components = URLComponents(string: endpoint)
        let host = components?.host ?? endpoint
        return components?.port.map { "\(host):\($0)" } ?? host
    }

    /// The error code of a failed answer: SQS JSON's `__type` (after `#`),
    /// the `x-amzn-query-error` header, or the XML `<Code>` (SNS, IAM).
    static func errorCode(_ response: HTTPResponse) -> (code: String, message: String) {
        if let object = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any] {
            let type = (object["__type"] as? String) ?? (object["code"] as? String) ?? ""
            let code = type.split(separator: "#").last.map(String.init) ?? type
            let message = (object["message"] as? String) ?? (object["Message"] as? String) ?? ""
            if let query = response.header("x-amzn-query-error")?.split(separator: ";").first, code.isEmpty {
                return (String(query), message)
            }
            return (code, message)
        }
        let body = S3ErrorBody(response.body)
        return (body.code, body.message)
    }

    /// A failed answer as a `StoreError`: missing things are `.notFound`,
    /// refusals `.accessDenied`, naming what was being done.
    func failure(_ response: HTTPResponse, what: String, permission: String) -> StoreError {
        let (code, message) = Self.errorCode(response)
        let cause = HTTPStatus(response)
        let lower = code.lowercased()
        if response.status == 403 || lower.contains("accessdenied") || lower.contains("authorization") || lower == "invalidclienttokenid"
            || lower.contains("signaturedoesnotmatch") {
            return StoreError(.accessDenied, "Access denied (\(code)) while \(what): the credentials' policy must allow \(permission).", cause: cause)
        }
        if response.status == 404 || lower.contains("nonexistentqueue") || lower.contains("queuedoesnotexist") || lower == "notfound" {
            return StoreError(.notFound, "Not found (\(code)) while \(what)\(message.isEmpty ? "" : ": \(message)").", cause: cause)
        }
        if response.status >= 500 || response.status == 429 {
            return StoreError(.serverError, "\(service.uppercased()) kept failing while \(what) (HTTP \(response.status) after \(response.attempts) tries). Try again later.", cause: cause)
        }
        return StoreError(.badResponse, "Unexpected HTTP \(response.status) \(code) while \(what). \(message)", cause: cause)
    }

    /// The text of every `<name>` element of an XML answer, in order.
    public static func elements(_ name: String, in body: Data) -> [String] {
        let text = String(decoding: body, as: UTF8.self)
        var out: [String] = []
        var from = text.startIndex
        while let start = text.range(of: "<\(name)>", range: from..<text.endIndex),
              let end = text.range(of: "</\(name)>", range: start.upperBound..<text.endIndex) {
            out.append(XMLText.unescape(String(text[start.upperBound..<end.lowerBound])))
            from = end.upperBound
        }
        return out
    }

    /// The text of the first `<name>` element of an XML answer.
    static func element(_ name: String, in body: Data) -> String? {
        let text = String(decoding: body, as: UTF8.self)
        guard let start = text.range(of: "<\(name)>"),
              let end = text.range(of: "</\(name)>", range: start.upperBound..<text.endIndex) else { return nil }
        return XMLText.unescape(String(text[start.upperBound..<end.lowerBound]))
    }
}

/// The five predefined XML entities, both ways, for the few documents built
/// and read by hand here.
enum XMLText {
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "'", with: "&apos;")
    }

    static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}
