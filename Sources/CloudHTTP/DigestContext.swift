import CCrypto
import Foundation

/// An incremental digest (libcrypto's EVP_MD_CTX): bytes fed in pieces, the
/// digest taken once at the end. Not shared between threads.
final class DigestContext {
    private let context: OpaquePointer?

    /// A SHA-256 context.
    static func sha256() -> DigestContext { DigestContext(EVP_sha256()) }

    /// An MD5 context, for S3's Content-MD5 only.
    static func md5() -> DigestContext { DigestContext(EVP_md5()) }

    private init(_ md: OpaquePointer?) {
        context = EVP_MD_CTX_new()
        EVP_DigestInit_ex(context, md, nil)
    }

    deinit { EVP_MD_CTX_free(context) }

    func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        EVP_DigestUpdate(context, base, bytes.count)
    }

    /// The digest of everything fed so far; the context is spent after.
    func finish() -> Data {
        var out = [UInt8](repeating: 0, count: 64)
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &out, &length)
        return Data(out.prefix(Int(length)))
    }
}
