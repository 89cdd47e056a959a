import CCrypto
import Foundation

/// The digests and MACs the cloud stores need, computed by libcrypto.
public enum Digest {
    public static func sha256(_ data: Data) -> Data { digest(data, EVP_sha256(), length: 32) }

    public static func sha256(_ text: String) -> Data { sha256(Data(text.utf8)) }

    /// MD5 only for S3's Content-MD5 integrity header, which Object Lock requires.
    public static func md5(_ data: Data) -> Data { digest(data, EVP_md5(), length: 16) }

    public static func hmacSHA256(key: Data, _ message: Data) -> Data {
        var out = [UInt8](repeating: 0, count: 32)
        var outLength: UInt32 = 0
        key.withUnsafeBytes { keyBytes in
            message.withUnsafeBytes { messageBytes in
                _ = HMAC(EVP_sha256(), keyBytes.baseAddress, Int32(keyBytes.count),
                         messageBytes.bindMemory(to: UInt8.self).baseAddress, messageBytes.count,
                         &out, &outLength)
            }
        }
        return Data(out.prefix(Int(outLength)))
    }

    public static func hmacSHA256(key: Data, _ message: String) -> Data { hmacSHA256(key: key, Data(message.utf8)) }

    private static func digest(_ data: Data, _ md: OpaquePointer?, length: Int) -> Data {
        var out = [UInt8](repeating: 0, count: 64)
        var outLength: UInt32 = 0
        data.withUnsafeBytes { bytes in
            _ = EVP_Digest(bytes.baseAddress, bytes.count, &out, &outLength, md, nil)
        }
        return Data(out.prefix(Int(outLength)))
    }
}
