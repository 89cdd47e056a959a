import Foundation
import Testing
@testable import ChatProtocol

/// Private rooms against vectors made independently with PyNaCl
/// (Fixtures/private-room/make_private_room.py): content encryption byte for
/// byte, room keys sealed by another implementation, and a whole private
/// room with two epochs, a kick, and a ciphertext moved to another event.
@Suite struct PrivateRoomVectorTests {
    static let nowMs: Int64 = 1_800_000_000_000

    static func vectors() throws -> JSONObject {
        guard case .object(let object) = try Fixtures.json("private-room/vectors.json") else { throw FixtureError("vectors.json is not an object") }
        return object
    }

    static func bytes(_ value: JSONValue?) throws -> [UInt8] {
        guard let text = value?.stringValue, let raw = Base64.decode(text) else { throw FixtureError("not base64: \(String(describing: value))") }
        return raw
    }

    static func device(_ name: String) throws -> (senderID: String, key: SigningKey) {
        guard let entry = try vectors()["devices"]?.objectValue?[name]?.objectValue, let sender = entry["sender_id"]?.stringValue else {
            throw FixtureError("no device \(name)")
        }
        return (sender, try SigningKey(seed: bytes(entry["seed"])))
    }

    static func verify(readers: [String]) throws -> RoomVerification {
        var verifier = RoomVerifier(nowMs: nowMs)
        verifier.readerKeys = try readers.map { try device($0).key }
        let objects = try Fixtures.objects(under: Fixtures.directory.appendingPathComponent("private-room"))
        return verifier.verify(roomID: "private_room", objects: objects)
    }

    @Test func contentEncryptionMatchesTheVectorsByteForByte() throws {
        let cases = try #require(try Self.vectors()["aead"]?.arrayValue)
        #expect(cases.count == 3)
        for item in cases {
            let v = try #require(item.objectValue)
            let key = try RoomKey(bytes: Self.bytes(v["key"]))
            let room = try #require(v["room_id"]?.stringValue), sender = try #require(v["sender_id"]?.stringValue)
            let eventID = try #require(v["event_id"]?.stringValue), epoch = try #require(v["epoch"]?.stringValue)
            let type = try #require(v["inner_type"]?.stringValue)
            let inner = try #require(v["inner_content"]?.objectValue)
            let expected = try #require(v["content"]?.objectValue)

            #expect(EncryptedContent.associatedData(epoch: epoch, roomID: room, senderID: sender, eventID: eventID) == (try Self.bytes(v["associated_data"])))
            #expect(EncryptedContent.plaintext(type: type, content: inner) == (try Self.bytes(v["plaintext"])))
            let nonce = try Self.bytes(expected["nonce"])
            let sealed = try EncryptedContent.seal(type: type, content: inner, epoch: epoch, key: key, roomID: room, senderID: sender,
                                                   eventID: eventID, nonce: nonce)
            #expect(CanonicalJSON.encode(.object(sealed.json)) == CanonicalJSON.encode(.object(expected)))

            let decoded = try EventContent(type: EventType.encrypted, content: expected)
            guard case .encrypted(let content) = decoded else { Issue.record("not decoded as encrypted"); continue }
            let opened = try content.open(key: key, roomID: room, senderID: sender, eventID: eventID)
            #expect(opened.type == type)
            #expect(opened.content.json == inner)
        }
    }

    @Test func ciphertextBoundToItsEventRoomSenderAndKey() throws {
        let v = try #require(try Self.vectors()["aead"]?.arrayValue?.first?.objectValue)
        let key = try RoomKey(bytes: Self.bytes(v["key"]))
        let room = try #require(v["room_id"]?.stringValue), sender = try #require(v["sender_id"]?.stringValue)
        let eventID = try #require(v["event_id"]?.stringValue)
        guard case .encrypted(let content) = try EventContent(type: EventType.encrypted, content: try #require(v["content"]?.objectValue)) else {
            Issue.record("not encrypted content"); return
        }
        _ = try content.open(key: key, roomID: room, senderID: sender, eventID: eventID)
        let attempts: [(String, () throws -> Void)] = [
            ("another event", { _ = try content.open(key: key, roomID: room, senderID: sender, eventID: eventID + "x") }),
            ("another room", { _ = try content.open(key: key, roomID: "other_room", senderID: sender, eventID: eventID) }),
            ("another sender", { _ = try content.open(key: key, roomID: room, senderID: "user:mallory", eventID: eventID) }),
            ("another key", { _ = try content.open(key: try RoomKey.generate(), roomID: room, senderID: sender, eventID: eventID) }),
            ("another epoch", {
                _ = try EncryptedContent(epoch: content.epoch + "x", nonce: content.nonce, ciphertext: content.ciphertext)
                    .open(key: key, roomID: room, senderID: sender, eventID: eventID)
            }),
            ("a flipped byte", {
                var damaged = content.ciphertext
                damaged[damaged.count / 2] ^= 0x01
                _ = try EncryptedContent(epoch: content.epoch, nonce: content.nonce, ciphertext: damaged)
                    .open(key: key, roomID: room, senderID: sender, eventID: eventID)
            }),
        ]
        for (what, attempt) in attempts {
            #expect(throws: ProtocolError.self, "opened with \(what)") { try attempt() }
        }
    }

    @Test func roomKeysSealedByPyNaClOpenOnlyForTheirDevice() throws {
        let cases = try #require(try Self.vectors()["sealed"]?.arrayValue?.compactMap(\.objectValue))
        #expect(cases.count == 2)
        let keys = try cases.map { try SigningKey(seed: Self.bytes($0["recipient_seed"])) }
        for (i, v) in cases.enumerated() {
            #expect(keys[i].publicKey.base64 == v["recipient_public_key"]?.stringValue)
            let sealed = try Self.bytes(v["sealed"])
            #expect(RoomKey.open(sealed: sealed, with: keys[i])?.bytes == (try Self.bytes(v["room_key"])))
            #expect(RoomKey.open(sealed: sealed, with: keys[1 - i]) == nil)
        }
        // And what this implementation seals opens for its recipient only.
        let fresh = try RoomKey.generate()
        let box = try fresh.seal(to: keys[0].publicKey)
        #expect(RoomKey.open(sealed: box, with: keys[0]) == fresh)
        #expect(RoomKey.open(sealed: box, with: keys[1]) == nil)
    }

    @Test func aMemberReadsTheRoomAndAMovedCiphertextRaisesAnAlarm() throws {
        let room = try #require(try Self.vectors()["room"]?.objectValue)
        let v = try Self.verify(readers: ["bob"])
        #expect(v.rejected.isEmpty, "\(v.rejected)")
        #expect(v.accepted.count == Int(room["events"]?.intValue ?? -1))
        let state = v.state
        #expect(state.epochs.current == room["current_epoch"]?.stringValue)
        #expect(state.epochs.byID.count == 2)
        for (eventID, body) in try #require(room["opened"]?.objectValue?["bob"]?.objectValue).members.map({ ($0.key, $0.value) }) {
            guard case .message(let m)? = state.epochs.opened[eventID]?.content else { Issue.record("\(eventID) not opened"); continue }
            #expect(m.body == body.stringValue)
        }
        let edit = try #require(room["edit"]?.objectValue)
        #expect(state.edits[edit["target"]?.stringValue ?? ""] == edit["body"]?.stringValue)
        let reaction = try #require(room["reaction"]?.objectValue)
        let target = try #require(reaction["target"]?.stringValue), key = try #require(reaction["reaction"]?.stringValue)
        #expect(state.reactions[target]?[key] == [reaction["sender"]?.stringValue ?? ""])
        let moved = try #require(room["undecryptable"]?.stringValue)
        #expect(v.alarms.map(\.kind) == [.undecryptable])
        #expect(v.alarms.first?.eventID == moved)
        #expect(state.epochs.opened[moved] == nil)
    }

    @Test func aKickedMemberCannotReadWhatCameAfter() throws {
        let room = try #require(try Self.vectors()["room"]?.objectValue)
        let v = try Self.verify(readers: ["carol"])
        #expect(v.rejected.isEmpty)
        for (eventID, body) in try #require(room["opened"]?.objectValue?["carol"]?.objectValue).members.map({ ($0.key, $0.value) }) {
            guard case .message(let m)? = v.state.epochs.opened[eventID]?.content else { Issue.record("\(eventID) not opened for carol"); continue }
            #expect(m.body == body.stringValue)
        }
        for eventID in try #require(room["sealed_from"]?.objectValue?["carol"]?.arrayValue).compactMap(\.stringValue) {
            #expect(v.state.epochs.opened[eventID] == nil)
            #expect(!v.alarms.contains { $0.eventID == eventID }, "no key is not damage")
        }
        #expect(v.state.epochs.key(of: try #require(room["current_epoch"]?.stringValue)) == nil)
    }

    @Test func withoutKeysEverythingVerifiesAndNothingOpens() throws {
        let room = try #require(try Self.vectors()["room"]?.objectValue)
        let v = try Self.verify(readers: [])
        #expect(v.rejected.isEmpty)
        #expect(v.alarms.isEmpty)
        #expect(!v.hasIntegrityProblem)
        #expect(v.accepted.count == Int(room["events"]?.intValue ?? -1))
        #expect(v.state.epochs.opened.isEmpty)
        #expect(v.state.reactions.isEmpty)
        #expect(v.state.epochs.current == room["current_epoch"]?.stringValue)
    }

    @Test func aFileEncryptedByPyNaClOpensAndDamageIsRefused() throws {
        let v = try #require(try Self.vectors()["file"]?.objectValue)
        let encryption = MessageContent.FileEncryption(key: try Self.bytes(v["key"]), sha256: try #require(v["plain_sha256"]?.stringValue),
                                                       size: try #require(v["plain_size"]?.intValue))
        let plain = Data((0..<150_000).map { UInt8($0 % 251) })
        let stored = Fixtures.directory.appendingPathComponent("private-room/file-vector.bin").path
        #expect(FileCipher.encryptedSize(of: encryption.size) == v["stored_size"]?.intValue)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bucketchat-filecipher-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("out").path
        try FileCipher.decrypt(from: stored, to: out, encryption: encryption)
        #expect(FileManager.default.contents(atPath: out) == plain)

        // Cut short (the final chunk gone), one byte flipped, or the wrong key: nothing comes out.
        let bytes = try #require(FileManager.default.contents(atPath: stored))
        var flipped = bytes
        flipped[70_000] ^= 0x01
        let damaged: [(String, Data, [UInt8])] = [
            ("truncated", bytes.prefix(24 + 2 * (65_536 + 17)), encryption.key),
            ("flipped", flipped, encryption.key),
            ("wrong key", bytes, [UInt8](repeating: 7, count: 32)),
        ]
        for (what, data, key) in damaged {
            let path = folder.appendingPathComponent(what).path
            try data.write(to: URL(fileURLWithPath: path))
            let target = folder.appendingPathComponent(what + ".out").path
            #expect(throws: ProtocolError.self, "\(what) opened") {
                try FileCipher.decrypt(from: path, to: target, encryption: MessageContent.FileEncryption(key: key, sha256: encryption.sha256, size: encryption.size))
            }
            #expect(!FileManager.default.fileExists(atPath: target), "\(what) left a partial file")
        }

        // What this implementation encrypts opens again, under a fresh key each time.
        let source = folder.appendingPathComponent("source").path
        try plain.write(to: URL(fileURLWithPath: source))
        let first = try FileCipher.encrypt(from: source, to: folder.appendingPathComponent("e1").path)
        let second = try FileCipher.encrypt(from: source, to: folder.appendingPathComponent("e2").path)
        #expect(first.key != second.key)
        #expect(first.sha256 == encryption.sha256 && first.size == encryption.size)
        try FileCipher.decrypt(from: folder.appendingPathComponent("e1").path, to: folder.appendingPathComponent("d1").path, encryption: first)
        #expect(FileManager.default.contents(atPath: folder.appendingPathComponent("d1").path) == plain)
    }
}
