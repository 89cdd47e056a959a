import CloudHTTP
import Foundation
import ObjectStore

/// Hands out bearer tokens, exchanging a service-account JWT at the token
/// endpoint when the cached one is missing or about to expire.
actor GoogleTokenSource {
    private let credentials: GCSCredentials
    private let client: HTTPClient
    private var signer: RSAPrivateKey?
    private var cached: (token: String, expires: Date)?
    /// What the tokens may do (storage by default; Pub/Sub for notifications).
    private let scope: String

    init(credentials: GCSCredentials, client: HTTPClient, scope: String = ServiceAccountJWT.storageScope) {
        self.credentials = credentials
        self.client = client
        self.scope = scope
    }

    /// The Authorization header value, or nil when none is needed.
    func authorization() async throws(StoreError) -> String? {
        switch credentials {
        case .none:
            return nil
        case .accessToken(let token):
            return "Bearer \(token)"
        case .serviceAccount(let key):
            if let cached, cached.expires.timeIntervalSinceNow > 60 { return "Bearer \(cached.token)" }
            let fresh = try await exchange(key)
            cached = fresh
            return "Bearer \(fresh.token)"
        }
    }

    private func exchange(_ key: ServiceAccountKey) async throws(StoreError) -> (token: String, expires: Date) {
        let signer: RSAPrivateKey
        if let existing = self.signer {
            signer = existing
        } else {
            signer = try RSAPrivateKey(pem: key.privateKey)
            self.signer = signer
        }
        let assertion = try ServiceAccountJWT.make(key: key, signer: signer, scope: scope, issuedAt: Date())
        let form = PercentEncoding.query([
            (name: "grant_type", value: "urn:ietf:params:oauth:grant-type:jwt-bearer"),
            (name: "assertion", value: assertion),
        ])
        let request = HTTPRequest(method: "POST", url: key.tokenURI,
                                  headers: [(name: "Content-Type", value: "application/x-www-form-urlencoded")],
                                  body: Data(form.utf8))
        let response = try await client.send(request, what: "exchanging the service-account key of \(key.clientEmail) for a token")
        struct TokenAnswer: Decodable {
            let access_token: String
            let expires_in: Int?
        }
        guard response.status == 200, let answer = try? JSONDecoder().decode(TokenAnswer.self, from: response.body) else {
            throw StoreError(.missingCredentials, "The token endpoint \(key.tokenURI) refused the service account \(key.clientEmail) (HTTP \(response.status)). Check that the key is current and not disabled.", cause: HTTPStatus(response))
        }
        return (answer.access_token, Date().addingTimeInterval(TimeInterval(answer.expires_in ?? 3600)))
    }
}
