import CCrypto
import Foundation
import ObjectStore

/// An RSA private key held by libcrypto, for RS256 signatures (service-account JWTs).
public final class RSAPrivateKey: @unchecked Sendable {
    // Immutable after init; libcrypto's EVP_PKEY is safe to sign with from many threads.
    private let key: OpaquePointer

    /// Reads a PEM private key (PKCS#8 "BEGIN PRIVATE KEY" or PKCS#1).
    public init(pem: String) throws(StoreError) {
        let bytes = Array(pem.utf8)
        let key: OpaquePointer? = bytes.withUnsafeBytes { raw in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else { return nil }
            defer { BIO_free(bio) }
            return PEM_read_bio_PrivateKey(bio, nil, nil, nil)
        }
        guard let key else {
            ERR_clear_error()
            throw StoreError(.missingCredentials, "The private key is not a PEM RSA key libcrypto can read. Check the private_key field of the service-account JSON file.")
        }
        self.key = key
    }

    deinit { EVP_PKEY_free(key) }

    /// RSASSA-PKCS1-v1_5 with SHA-256 over `message` (JWT "RS256").
    public func signRS256(_ message: Data) throws(StoreError) -> Data {
        guard let context = EVP_MD_CTX_new() else {
            throw StoreError(.io, "libcrypto could not allocate a signing context.")
        }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestSignInit(context, nil, EVP_sha256(), nil, key) == 1 else {
            ERR_clear_error()
            throw StoreError(.missingCredentials, "The service-account key cannot sign with RS256. Check that it is an RSA key.")
        }
        var length = 0
        let signature: Data? = message.withUnsafeBytes { raw -> Data? in
            let input = raw.bindMemory(to: UInt8.self).baseAddress
            guard EVP_DigestSign(context, nil, &length, input, raw.count) == 1 else { return nil }
            var out = [UInt8](repeating: 0, count: length)
            guard EVP_DigestSign(context, &out, &length, input, raw.count) == 1 else { return nil }
            return Data(out.prefix(length))
        }
        guard let signature else {
            ERR_clear_error()
            throw StoreError(.io, "libcrypto failed to sign with the service-account key.")
        }
        return signature
    }
}
