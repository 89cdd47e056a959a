/// Why a line is not acceptable JSON for the profile.
///
/// ``Kind/malformed`` is text no JSON parser accepts; ``Kind/nonCanonical`` is
/// JSON that the profile forbids (floats, exponents, out-of-range integers,
/// duplicate keys, invalid UTF-8, lone surrogates).
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case malformed = "malformed_json"
        case nonCanonical = "non_canonical"
    }

    public let kind: Kind
    public let message: String
    /// Byte offset into the input where the problem was found.
    public let offset: Int

    public var description: String { "\(message) at byte \(offset)" }
}
