import CloudHTTP
import Foundation
import ObjectStore

/// The RS256-signed JWT a service account trades for an access token
/// (OAuth 2.0 JWT bearer grant, RFC 7523).
public enum ServiceAccountJWT {
    /// Read and create objects; nothing broader.
    public static let storageScope = "https://www.googleapis.com/auth/devstorage.read_write"
    /// Pull from and acknowledge on Pub/Sub subscriptions (notifications).
    public static let pubsubScope = "https://www.googleapis.com/auth/pubsub"

    /// `header.claims.signature`, each part base64url without padding.
    public static func make(key: ServiceAccountKey, signer: RSAPrivateKey, scope: String = storageScope, issuedAt: Date) throws(StoreError) -> String {
        let iat = Int(issuedAt.timeIntervalSince1970)
        let header = #"{"alg":"RS256","typ":"JWT"}"#
        let claims: [String: Any] = [
            "iss": key.clientEmail, "scope": scope, "aud": key.tokenURI,
            "iat": iat, "exp": iat + 3600,
        ]
        let claimsJSON: Data
        do { claimsJSON = try JSONSerialization.data(withJSONObject: claims, options: [.sortedKeys]) } catch {
            throw StoreError(.missingCredentials, "Could not encode the service-account token request.", cause: error)
        }
        let signingInput = Data(header.utf8).base64URLString + "." + claimsJSON.base64URLString
        let signature = try signer.signRS256(Data(signingInput.utf8))
        return signingInput + "." + signature.base64URLString
    }
}
