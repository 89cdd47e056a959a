import Foundation
@testable import ChatProtocol

/// Test vectors made by an independent implementation, copied from shared/test-vectors.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    static func json(_ name: String) throws -> JSONValue {
        try JSONParser(maxBytes: 1 << 24).parse(try bytes(name))
    }

    static func array(_ name: String) throws -> [JSONObject] {
        guard case .array(let items) = try json(name) else { throw FixtureError("\(name) is not an array") }
        return items.compactMap(\.objectValue)
    }

    /// The objects of the vector room, keyed relative to the bucket root.
    static func roomObjects() throws -> [StoredObject] {
        let root = directory.appendingPathComponent("room")
        return try objects(under: root)
    }

    /// Every file under a folder as a stored object keyed by its relative path.
    static func objects(under root: URL) throws -> [StoredObject] {
        let rootPath = root.standardizedFileURL.path
        guard let walker = FileManager.default.enumerator(atPath: rootPath) else { throw FixtureError("cannot list \(rootPath)") }
        var out: [StoredObject] = []
        while let relative = walker.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let full = rootPath + "/" + relative
            guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            guard relative.hasPrefix("rooms/") else { continue }
            out.append(StoredObject(key: relative, bytes: Array(try Data(contentsOf: URL(fileURLWithPath: full)))))
        }
        return out.sorted { $0.key < $1.key }
    }

    /// The device keys of keys.json by device name.
    static func keys() throws -> [String: (senderID: String, key: SigningKey)] {
        var out: [String: (String, SigningKey)] = [:]
        for entry in try array("keys.json") {
            guard let device = entry["device"]?.stringValue, let sender = entry["sender_id"]?.stringValue,
                  let seedHex = entry["seed_hex"]?.stringValue else { continue }
            out[device] = (sender, try SigningKey(seed: hexBytes(seedHex)))
        }
        return out
    }

    static func hexBytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var chars = Array(hex.utf8)[...]
        while chars.count >= 2 {
            let pair = String(decoding: chars.prefix(2), as: UTF8.self)
            out.append(UInt8(pair, radix: 16) ?? 0)
            chars = chars.dropFirst(2)
        }
        return out
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension String {
    var bytes: [UInt8] { Array(utf8) }
}
