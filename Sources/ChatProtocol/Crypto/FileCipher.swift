import CSodium
import Foundation

/// A private room's shared file, encrypted as a stream: libsodium's
/// secretstream (XChaCha20-Poly1305) in 64 KiB chunks, the 24-byte header
/// first, the last chunk tagged final (docs/private-rooms.md).
///
/// Streaming keeps memory bounded whatever the file's size, and the final
/// tag means a truncated ciphertext never opens as a shorter file.
public enum FileCipher {
    public static let algorithm = "secretstream-xchacha20poly1305-v1"
    static let chunk = 64 * 1024
    static let headerBytes = Int(crypto_secretstream_xchacha20poly1305_headerbytes())
    static let chunkOverhead = Int(crypto_secretstream_xchacha20poly1305_abytes())

    /// The stored size of a plaintext of `size` bytes.
    public static func encryptedSize(of size: Int64) -> Int64 {
        let chunks = max(1, (size + Int64(chunk) - 1) / Int64(chunk))
        return Int64(headerBytes) + size + chunks * Int64(chunkOverhead)
    }

    /// Encrypts the file at `source` into `destination` (created, mode 0600)
    /// under a fresh key. Returns the key and the plaintext's SHA-256 and size.
    public static func encrypt(from source: String, to destination: String) throws(ProtocolError) -> MessageContent.FileEncryption {
        guard Sodium.ready else { throw ProtocolError(.crypto, "libsodium failed to initialise") }
        let key = RandomBytes.make(Int(crypto_secretstream_xchacha20poly1305_keybytes()))
        guard let input = FileHandle(forReadingAtPath: source) else { throw ProtocolError(.io, "cannot read \(source)") }
        defer { try? input.close() }
        guard FileManager.default.createFile(atPath: destination, contents: nil, attributes: [.posixPermissions: 0o600]),
              let output = FileHandle(forWritingAtPath: destination) else {
            throw ProtocolError(.io, "cannot create \(destination)")
        }
        defer { try? output.close() }
        var state = crypto_secretstream_xchacha20poly1305_state()
        var header = [UInt8](repeating: 0, count: headerBytes)
        crypto_secretstream_xchacha20poly1305_init_push(&state, &header, key)
        var hash = SHA256Stream()
        var size: Int64 = 0
        do {
            try output.write(contentsOf: header)
            var next = try input.read(upToCount: chunk) ?? Data()
            while true {
                let current = next
                next = current.count == chunk ? (try input.read(upToCount: chunk) ?? Data()) : Data()
                let last = next.isEmpty
                let plain = [UInt8](current)
                hash.update(plain)
                size += Int64(plain.count)
                var sealed = [UInt8](repeating: 0, count: plain.count + chunkOverhead)
                let tag = UInt8(last ? crypto_secretstream_xchacha20poly1305_tag_final() : crypto_secretstream_xchacha20poly1305_tag_message())
                plain.withUnsafeBytes { p in
                    p.withNonNullBytes { pp, pc in
                        _ = crypto_secretstream_xchacha20poly1305_push(&state, &sealed, nil, pp, UInt64(pc), nil, 0, tag)
                    }
                }
                try output.write(contentsOf: sealed)
                if last { break }
            }
            try output.synchronize()
        } catch {
            throw ProtocolError(.io, "encrypting \(source) into \(destination) failed: \(error.localizedDescription)")
        }
        return MessageContent.FileEncryption(key: key, sha256: hash.finishHex(), size: size)
    }

    /// Decrypts `source` into `destination` (created, mode 0600), checking
    /// every chunk's tag, that the stream ends with the final chunk, and the
    /// plaintext's SHA-256 and size against `encryption`. Throws
    /// ``ProtocolError/Code/crypto`` when any of that fails; `destination`
    /// is then removed.
    public static func decrypt(from source: String, to destination: String, encryption: MessageContent.FileEncryption) throws(ProtocolError) {
        guard Sodium.ready else { throw ProtocolError(.crypto, "libsodium failed to initialise") }
        guard let input = FileHandle(forReadingAtPath: source) else { throw ProtocolError(.io, "cannot read \(source)") }
        defer { try? input.close() }
        guard FileManager.default.createFile(atPath: destination, contents: nil, attributes: [.posixPermissions: 0o600]),
              let output = FileHandle(forWritingAtPath: destination) else {
            throw ProtocolError(.io, "cannot create \(destination)")
        }
        var ok = false
        defer {
            try? output.close()
            if !ok { try? FileManager.default.removeItem(atPath: destination) }
        }
        var hash = SHA256Stream()
        var size: Int64 = 0
        do {
            let header = [UInt8](try input.read(upToCount: headerBytes) ?? Data())
            var state = crypto_secretstream_xchacha20poly1305_state()
            guard header.count == headerBytes, crypto_secretstream_xchacha20poly1305_init_pull(&state, header, encryption.key) == 0 else {
                throw ProtocolError(.crypto, "the file's stream header is damaged")
            }
            var finished = false
            while let data = try input.read(upToCount: chunk + chunkOverhead), !data.isEmpty {
                guard !finished else { throw ProtocolError(.crypto, "the file goes on after its final chunk") }
                let sealed = [UInt8](data)
                guard sealed.count >= chunkOverhead else { throw ProtocolError(.crypto, "the file ends in a damaged chunk") }
                var plain = [UInt8](repeating: 0, count: sealed.count - chunkOverhead)
                var plainLength: UInt64 = 0
                var tag: UInt8 = 0
                guard crypto_secretstream_xchacha20poly1305_pull(&state, &plain, &plainLength, &tag, sealed, UInt64(sealed.count), nil, 0) == 0 else {
                    throw ProtocolError(.crypto, "a chunk at byte \(size) does not open: the file was damaged or is not the one shared")
                }
                let piece = plain.prefix(Int(plainLength))
                hash.update(Array(piece))
                size += Int64(piece.count)
                try output.write(contentsOf: piece)
                finished = tag == UInt8(crypto_secretstream_xchacha20poly1305_tag_final())
            }
            guard finished else { throw ProtocolError(.crypto, "the file was cut short: its final chunk is missing") }
            let digest = hash.finishHex()
            guard digest == encryption.sha256, size == encryption.size else {
                throw ProtocolError(.crypto, "the opened file is \(size) bytes with sha256 \(digest), where its event says \(encryption.size) bytes with sha256 \(encryption.sha256)")
            }
            try output.synchronize()
        } catch let error as ProtocolError {
            throw error
        } catch {
            throw ProtocolError(.io, "decrypting \(source) into \(destination) failed: \(error.localizedDescription)")
        }
        ok = true
    }
}
