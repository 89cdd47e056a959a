import Foundation

/// The digests of a `FileRegion`, computed by reading it in small chunks
/// before it is sent: SigV4's payload hash and S3's Content-MD5 cover the
/// bytes without the part ever being in memory whole.
public struct RegionDigests: Sendable {
    public let sha256: Data
    public let md5: Data

    public init(sha256: Data, md5: Data) {
        self.sha256 = sha256
        self.md5 = md5
    }
}
