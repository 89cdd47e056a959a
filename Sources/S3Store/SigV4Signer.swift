import CloudHTTP
import Foundation

/// AWS Signature Version 4 (header form), implemented once for every S3 call.
///
/// Paths are given unencoded and encoded once per segment, as S3 expects
/// (S3 neither normalises nor double-encodes paths).
public struct SigV4Signer: Sendable {
    public let credentials: AWSCredentials
    public let region: String
    public let service: String

    public init(credentials: AWSCredentials, region: String, service: String = "s3") {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// Everything signing produced, the intermediate texts included so tests
    /// can compare each with the published vectors.
    public struct Signature: Sendable {
        public let canonicalRequest: String
        public let stringToSign: String
        public let authorization: String
        /// The request's headers plus the ones signing added
        /// (x-amz-date, x-amz-security-token, authorization).
        public let headers: [(name: String, value: String)]
        /// The path and query exactly as signed, to put in the URL.
        public let encodedPath: String
        public let encodedQuery: String
    }

    /// Signs a request. `headers` must include `host`; `x-amz-date` is added
    /// from `date` unless present.
    public func sign(method: String, path: String, query: [(name: String, value: String)],
                     headers: [(name: String, value: String)], payloadHash: String, date: Date) -> Signature {
        let amzDate = Self.amzDate(date)
        var headers = headers
        if !headers.contains(where: { $0.name.lowercased() == "x-amz-date" }) {
            headers.append((name: "X-Amz-Date", value: amzDate))
        }
        if let token = credentials.sessionToken, !headers.contains(where: { $0.name.lowercased() == "x-amz-security-token" }) {
            headers.append((name: "X-Amz-Security-Token", value: token))
        }
        let stamp = headers.first { $0.name.lowercased() == "x-amz-date" }?.value ?? amzDate
        let day = String(stamp.prefix(8))

        let encodedPath = Self.canonicalURI(path)
        let encodedQuery = Self.canonicalQuery(query)
        let (canonicalHeaders, signedHeaders) = Self.canonicalHeaders(headers)
        let canonicalRequest = [method, encodedPath, encodedQuery, canonicalHeaders, signedHeaders, payloadHash].joined(separator: "\n")
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = ["AWS4-HMAC-SHA256", stamp, scope, Digest.sha256(canonicalRequest).hexString].joined(separator: "\n")

        let signature = Digest.hmacSHA256(key: signingKey(day: day), stringToSign).hexString
        let authorization = "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyId)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
        headers.append((name: "Authorization", value: authorization))
        return Signature(canonicalRequest: canonicalRequest, stringToSign: stringToSign, authorization: authorization,
                         headers: headers, encodedPath: encodedPath, encodedQuery: encodedQuery)
    }

    /// The four-step HMAC chain from the secret to the day's signing key.
    public func signingKey(day: String) -> Data {
        let dateKey = Digest.hmacSHA256(key: Data(("AWS4" + credentials.secretAccessKey).utf8), day)
        let regionKey = Digest.hmacSHA256(key: dateKey, region)
        let serviceKey = Digest.hmacSHA256(key: regionKey, service)
        return Digest.hmacSHA256(key: serviceKey, "aws4_request")
    }

    static func canonicalURI(_ path: String) -> String {
        if path.isEmpty { return "/" }
        return PercentEncoding.encode(path, keepingSlash: true)
    }

    static func canonicalQuery(_ query: [(name: String, value: String)]) -> String {
        let encoded: [(String, String)] = query.map { item in
            (PercentEncoding.encode(item.name), PercentEncoding.encode(item.value))
        }
        let sorted = encoded.sorted { (a: (String, String), b: (String, String)) -> Bool in
            a.0 == b.0 ? a.1 < b.1 : a.0 < b.0
        }
        return sorted.map { pair in pair.0 + "=" + pair.1 }.joined(separator: "&")
    }

    /// Lowercased names, sorted; values trimmed with inner runs of spaces
    /// collapsed; repeated names joined with commas in request order.
    static func canonicalHeaders(_ headers: [(name: String, value: String)]) -> (String, String) {
        var merged: [String: [String]] = [:]
        for header in headers {
            let value = header.value.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
            merged[header.name.lowercased(), default: []].append(value)
        }
        let names = merged.keys.sorted()
        let canonical = names.map { "\($0):\(merged[$0, default: []].joined(separator: ","))\n" }.joined()
        return (canonical, names.joined(separator: ";"))
    }

    static func amzDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }
}
