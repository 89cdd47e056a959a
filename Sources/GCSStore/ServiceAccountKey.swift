import Foundation
import ObjectStore

/// The fields of a Google service-account JSON key file that signing needs.
public struct ServiceAccountKey: Sendable, Decodable {
    public let clientEmail: String
    public let privateKey: String
    public let tokenURI: String
    /// The project the key belongs to (Pub/Sub names live in a project).
    public let projectID: String?

    enum CodingKeys: String, CodingKey {
        case clientEmail = "client_email"
        case privateKey = "private_key"
        case tokenURI = "token_uri"
        case projectID = "project_id"
    }

    public init(clientEmail: String, privateKey: String, tokenURI: String = "https://oauth2.googleapis.com/token", projectID: String? = nil) {
        self.clientEmail = clientEmail
        self.privateKey = privateKey
        self.tokenURI = tokenURI
        self.projectID = projectID
    }

    /// Reads a key file as `gcloud iam service-accounts keys create` writes it.
    public init(contentsOfFile path: String) throws(StoreError) {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw StoreError(.missingCredentials, "Could not read the service-account key \(path). Check GOOGLE_APPLICATION_CREDENTIALS.", cause: error)
        }
        do { self = try JSONDecoder().decode(ServiceAccountKey.self, from: data) } catch {
            throw StoreError(.missingCredentials, "\(path) is not a service-account JSON key (client_email, private_key, token_uri). Download one with gcloud iam service-accounts keys create.", cause: error)
        }
    }
}
