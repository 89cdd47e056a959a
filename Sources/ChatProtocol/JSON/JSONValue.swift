/// A JSON value as the profile allows it: integers only, exact.
///
/// Objects keep their members sorted by key in Unicode code point order
/// (byte order of the UTF-8 encoding), which is the canonical order, and hold
/// no duplicate keys: ``JSONParser`` rejects those.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
}

/// A JSON object whose members are sorted by key in code point order.
public struct JSONObject: Sendable, Equatable {
    /// One member of an object.
    public struct Member: Sendable, Equatable {
        public var key: String
        public var value: JSONValue

        public init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
        }

        /// Compares keys by their bytes: Swift's `String ==` treats canonically
        /// equivalent strings as equal, JSON and Python do not.
        public static func == (lhs: Member, rhs: Member) -> Bool {
            lhs.key.utf8.elementsEqual(rhs.key.utf8) && lhs.value == rhs.value
        }
    }

    /// Members in code point order of their keys.
    public private(set) var members: [Member]

    /// Creates an object from members in any order; a later duplicate key replaces an earlier one.
    public init(_ pairs: [(String, JSONValue)] = []) {
        members = []
        for (key, value) in pairs { self[key] = value }
    }

    /// Builds an object from members that are already sorted and free of duplicates.
    init(sortedMembers: [Member]) {
        members = sortedMembers
    }

    public var isEmpty: Bool { members.isEmpty }
    public var count: Int { members.count }

    /// The value of the member whose key has exactly these bytes.
    public subscript(key: String) -> JSONValue? {
        get {
            guard let index = index(of: key) else { return nil }
            return members[index].value
        }
        set {
            let position = insertionPoint(of: key)
            let exists = position < members.count && members[position].key.hasSameBytes(as: key)
            switch (newValue, exists) {
            case (let value?, true): members[position].value = value
            case (let value?, false): members.insert(Member(key: key, value: value), at: position)
            case (nil, true): members.remove(at: position)
            case (nil, false): break
            }
        }
    }

    private func index(of key: String) -> Int? {
        let position = insertionPoint(of: key)
        guard position < members.count, members[position].key.hasSameBytes(as: key) else { return nil }
        return position
    }

    private func insertionPoint(of key: String) -> Int {
        var low = 0
        var high = members.count
        while low < high {
            let mid = (low + high) / 2
            if members[mid].key.precedesInBytes(key) {
                low = mid + 1
            } else {
                high = mid
            }
        }
        return low
    }
}

extension JSONValue {
    /// The string, if this is one.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The integer, if this is one.
    public var intValue: Int64? {
        if case .int(let i) = self { return i }
        return nil
    }

    /// The boolean, if this is one.
    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// The object, if this is one.
    public var objectValue: JSONObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// The array, if this is one.
    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(JSONObject(elements)) }
    public init(nilLiteral: ()) { self = .null }
}
