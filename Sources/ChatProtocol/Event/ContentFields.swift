/// Typed access to a content object's members, with errors that name the type.
struct ContentFields {
    let object: JSONObject
    let type: String

    func requiredString(_ key: String) throws(ProtocolError) -> String {
        guard let value = object[key] else { throw ProtocolError(.schema, "\(type): missing \(key)") }
        guard case .string(let s) = value else { throw ProtocolError(.schema, "\(type): \(key) must be a string") }
        return s
    }

    func nonEmptyString(_ key: String) throws(ProtocolError) -> String {
        let s = try requiredString(key)
        guard !s.isEmpty else { throw ProtocolError(.schema, "\(type): \(key) must not be empty") }
        return s
    }

    func optionalString(_ key: String) throws(ProtocolError) -> String? {
        switch object[key] {
        case nil, .null?: return nil
        case .string(let s)?: return s
        default: throw ProtocolError(.schema, "\(type): \(key) must be a string")
        }
    }
}
