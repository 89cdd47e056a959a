import Foundation
import ObjectStore

/// How requests to GCS are authorised.
public enum GCSCredentials: Sendable {
    /// No Authorization header: emulators (STORAGE_EMULATOR_HOST).
    case none
    /// A ready OAuth access token (e.g. `gcloud auth print-access-token`).
    case accessToken(String)
    /// A service account whose JWT is exchanged for tokens as needed.
    case serviceAccount(ServiceAccountKey)

    /// The lookup Google's client libraries use, minus metadata servers:
    /// an emulator needs nothing; else `GOOGLE_OAUTH_ACCESS_TOKEN`; else the
    /// key file in `GOOGLE_APPLICATION_CREDENTIALS`.
    public static func resolve(environment: [String: String] = ProcessInfo.processInfo.environment, bucket: String) throws(StoreError) -> GCSCredentials {
        func env(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        if env("STORAGE_EMULATOR_HOST") != nil { return .none }
        if let token = env("GOOGLE_OAUTH_ACCESS_TOKEN") { return .accessToken(token) }
        if let path = env("GOOGLE_APPLICATION_CREDENTIALS") { return .serviceAccount(try ServiceAccountKey(contentsOfFile: path)) }
        throw StoreError(.missingCredentials, "No Google credentials found for gs://\(bucket). Set GOOGLE_APPLICATION_CREDENTIALS to a service-account JSON key, or GOOGLE_OAUTH_ACCESS_TOKEN to an access token (gcloud auth print-access-token).")
    }
}
