import CloudHTTP
import Foundation
import GCSStore
import Testing

@Suite struct CryptoTests {
    @Test func sha256AndMD5MatchKnownAnswers() {
        #expect(Digest.sha256("abc").hexString == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Digest.sha256(Data()).hexString == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Digest.md5(Data("abc".utf8)).hexString == "900150983cd24fb0d6963f7d28e17f72")
    }

    @Test func hmacMatchesRFC4231() {
        // RFC 4231 test case 2.
        let mac = Digest.hmacSHA256(key: Data("Jefe".utf8), "what do ya want for nothing?")
        #expect(mac.hexString == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func percentEncodingKeepsOnlyUnreserved() {
        #expect(PercentEncoding.encode("a b/c~d_e.f-g+h=é") == "a%20b%2Fc~d_e.f-g%2Bh%3D%C3%A9")
        #expect(PercentEncoding.encode("rooms/r 1/x", keepingSlash: true) == "rooms/r%201/x")
    }

    @Test func serviceAccountJWTVerifiesWithOpenSSL() throws {
        let folder = NSTemporaryDirectory() + "bucketchat-jwt-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try run("/usr/bin/env", ["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", folder + "/key.pem"])
        try run("/usr/bin/env", ["openssl", "pkey", "-in", folder + "/key.pem", "-pubout", "-out", folder + "/pub.pem"])
        let pem = try String(contentsOfFile: folder + "/key.pem", encoding: .utf8)

        let key = ServiceAccountKey(clientEmail: "chat@project.iam.gserviceaccount.com", privateKey: pem, tokenURI: "https://oauth2.googleapis.com/token")
        let jwt = try ServiceAccountJWT.make(key: key, signer: try RSAPrivateKey(pem: pem), issuedAt: Date(timeIntervalSince1970: 1_700_000_000))
        let parts = jwt.split(separator: ".").map(String.init)
        try #require(parts.count == 3)

        let header = try JSONSerialization.jsonObject(with: try #require(Self.base64URLDecode(parts[0]))) as? [String: Any]
        #expect(header?["alg"] as? String == "RS256")
        let claims = try JSONSerialization.jsonObject(with: try #require(Self.base64URLDecode(parts[1]))) as? [String: Any]
        #expect(claims?["iss"] as? String == "chat@project.iam.gserviceaccount.com")
        #expect(claims?["aud"] as? String == "https://oauth2.googleapis.com/token")
        #expect(claims?["iat"] as? Int == 1_700_000_000)
        #expect(claims?["exp"] as? Int == 1_700_003_600)
        #expect(claims?["scope"] as? String == ServiceAccountJWT.storageScope)

        // openssl checks the signature over "header.claims" with the public key.
        try Data((parts[0] + "." + parts[1]).utf8).write(to: URL(fileURLWithPath: folder + "/input"))
        try #require(Self.base64URLDecode(parts[2])).write(to: URL(fileURLWithPath: folder + "/sig"))
        let verified = try run("/usr/bin/env", ["openssl", "dgst", "-sha256", "-verify", folder + "/pub.pem", "-signature", folder + "/sig", folder + "/input"], allowFailure: true)
        #expect(verified.status == 0 && verified.output.contains("Verified OK"), "\(verified.output)")

        // A tampered payload must not verify.
        try Data((parts[0] + "." + parts[1] + "x").utf8).write(to: URL(fileURLWithPath: folder + "/input"))
        let tampered = try run("/usr/bin/env", ["openssl", "dgst", "-sha256", "-verify", folder + "/pub.pem", "-signature", folder + "/sig", folder + "/input"], allowFailure: true)
        #expect(tampered.status != 0)
    }

    @Test func unreadableKeyIsAClearError() {
        do {
            _ = try RSAPrivateKey(pem: "not a key")
            Issue.record("accepted garbage as a key")
        } catch {
            #expect(error.code == .missingCredentials)
        }
    }

    static func base64URLDecode(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}
