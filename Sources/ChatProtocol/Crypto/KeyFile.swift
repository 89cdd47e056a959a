#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A device's secret key file (PROTOCOL.md §4): JSON with `sender_id`,
/// `public_key`, `private_key` (base64 of the 32-byte seed) and `created_at`,
/// mode 0600.
///
/// Like ssh, loading refuses a file that group or others can read.
public struct KeyFile: Sendable {
    public let senderID: String
    public let key: SigningKey
    public let createdAt: String

    public init(senderID: String, key: SigningKey, createdAt: String) {
        self.senderID = senderID
        self.key = key
        self.createdAt = createdAt
    }

    /// The file's JSON text.
    public var bytes: [UInt8] {
        let object = JSONObject([
            ("sender_id", .string(senderID)),
            ("public_key", .string(key.publicKey.base64)),
            ("private_key", .string(Base64.encode(key.seed))),
            ("created_at", .string(createdAt)),
        ])
        return CanonicalJSON.encode(.object(object)) + [0x0A]
    }

    /// Parses key file bytes and checks the public key matches the seed.
    public init(bytes: [UInt8], path: String) throws(ProtocolError) {
        let value: JSONValue
        do {
            value = try JSONParser(maxBytes: 1 << 16).parse(bytes)
        } catch {
            throw ProtocolError(.badKey, "key file \(path) is not valid JSON: \(error)")
        }
        guard case .object(let object) = value,
              let sender = object["sender_id"]?.stringValue,
              let seedText = object["private_key"]?.stringValue
        else {
            throw ProtocolError(.badKey, "key file \(path) lacks sender_id or private_key")
        }
        guard let seed = Base64.decode(seedText), seed.count == 32 else {
            throw ProtocolError(.badKey, "key file \(path): private_key is not base64 of a 32-byte seed")
        }
        let key = try SigningKey(seed: seed)
        if let stated = object["public_key"]?.stringValue, stated != key.publicKey.base64 {
            throw ProtocolError(.badKey, "key file \(path): public_key does not match private_key; the file is damaged")
        }
        self.senderID = sender
        self.key = key
        self.createdAt = object["created_at"]?.stringValue ?? ""
    }

    /// Loads a key file, refusing one that group or others can read.
    public static func load(path: String) throws(ProtocolError) -> KeyFile {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw ProtocolError(.io, "cannot read key file \(path): \(String(cString: strerror(errno))); set this device up with `bucketchat init --name NAME`")
        }
        let mode = info.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            throw ProtocolError(
                .keyFilePermissions,
                "key file \(path) is readable by group or others (mode \(String(mode, radix: 8))); run `chmod 600 \(path)` and try again"
            )
        }
        let bytes = try FileBytes.read(path: path)
        return try KeyFile(bytes: bytes, path: path)
    }

    /// Writes a new key file with mode 0600; never overwrites an existing one.
    public func save(path: String) throws(ProtocolError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            throw ProtocolError(.io, "cannot create key file \(path): \(reason)\(errno == EEXIST ? " (it exists; keys are never overwritten)" : "")")
        }
        defer { close(fd) }
        let data = bytes
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == data.count, fsync(fd) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(path)
            throw ProtocolError(.io, "cannot write key file \(path): \(reason)")
        }
    }
}
