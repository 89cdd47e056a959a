/// Turns the bytes a terminal sends into ``Key``s.
///
/// Bytes arrive in arbitrary pieces: a UTF-8 character, an escape sequence or
/// a paste may be cut anywhere, so what is incomplete waits for the next
/// ``decode(_:)``. A lone Escape cannot be told from the start of a sequence
/// until the terminal stays quiet: the reader calls ``flush()`` when no byte
/// follows within a few milliseconds (``hasPending``).
public struct KeyDecoder: Sendable {
    private var pending: [UInt8] = []
    /// Inside a bracketed paste: the bytes so far.
    private var paste: [UInt8]?

    static let pasteStart: [UInt8] = Array("\u{1B}[200~".utf8)
    static let pasteEnd: [UInt8] = Array("\u{1B}[201~".utf8)

    public init() {}

    /// Whether bytes wait for more (an escape sequence or character cut short, a paste not ended).
    public var hasPending: Bool { !pending.isEmpty }

    /// The keys these bytes complete, in order.
    public mutating func decode(_ bytes: [UInt8]) -> [Key] {
        pending += bytes
        var keys: [Key] = []
        var text = ""
        func emit(_ key: Key) {
            if !text.isEmpty {
                keys.append(.text(text))
                text = ""
            }
            keys.append(key)
        }
        var i = 0
        let b = pending
        scan: while i < b.count {
            if paste != nil {
                // Everything up to ESC [201~ is pasted text, escape bytes included.
                if let end = KeyDecoder.find(KeyDecoder.pasteEnd, in: b, from: i) {
                    paste! += b[i..<end]
                    emit(.paste(String(decoding: paste!, as: UTF8.self)))
                    paste = nil
                    i = end + KeyDecoder.pasteEnd.count
                    continue
                }
                // Keep a tail that may be the start of the end marker.
                let keep = KeyDecoder.partialSuffix(of: b[i...], matching: KeyDecoder.pasteEnd)
                paste! += b[i..<(b.count - keep)]
                i = b.count - keep
                break scan
            }
            let byte = b[i]
            switch byte {
            case 0x1B:
                guard let (key, length) = KeyDecoder.escapeSequence(b, at: i) else { break scan }
                i += length
                if key == .paste("") {
                    paste = []
                } else if let key {
                    emit(key)
                }
            case 0x0D:
                emit(.enter)
                // CR LF is one Enter.
                i += (i + 1 < b.count && b[i + 1] == 0x0A) ? 2 : 1
            case 0x0A:
                emit(.enter)
                i += 1
            case 0x09:
                emit(.tab)
                i += 1
            case 0x7F, 0x08:
                emit(.backspace)
                i += 1
            case 0x01...0x1A:
                emit(.control(Character(Unicode.Scalar(byte + 0x60))))
                i += 1
            case 0x00, 0x1C...0x1F:
                i += 1
            default:
                let length = KeyDecoder.utf8Length(byte)
                guard length > 0 else {
                    i += 1
                    continue
                }
                guard i + length <= b.count else { break scan }
                guard let decoded = String(validating: b[i..<(i + length)], as: UTF8.self) else {
                    // An invalid byte is skipped alone; what follows is read again.
                    i += 1
                    continue
                }
                // C1 controls are not text.
                if let scalar = decoded.unicodeScalars.first, !(0x80...0x9F).contains(scalar.value) { text += decoded }
                i += length
            }
        }
        pending = Array(b[i...])
        if !text.isEmpty { keys.append(.text(text)) }
        return keys
    }

    /// What is pending when the terminal stayed quiet: a lone ESC is the
    /// Escape key; an unfinished sequence or character is dropped. A paste
    /// not ended waits on.
    public mutating func flush() -> [Key] {
        guard paste == nil, !pending.isEmpty else { return [] }
        let wasEscape = pending.first == 0x1B
        pending = []
        return wasEscape ? [.escape] : []
    }

    /// The key an escape sequence at `i` makes and its length; nil when the
    /// sequence is incomplete. The key is nil for a sequence we ignore, and
    /// `.paste("")` marks the start of a paste.
    static func escapeSequence(_ b: [UInt8], at i: Int) -> (Key?, Int)? {
        guard i + 1 < b.count else { return nil }
        let next = b[i + 1]
        switch next {
        case UInt8(ascii: "["):
            // CSI: parameters 0x30-0x3F, intermediates 0x20-0x2F, one final byte 0x40-0x7E.
            var j = i + 2
            while j < b.count, (0x20...0x3F).contains(b[j]) { j += 1 }
            guard j < b.count else { return nil }
            let final = b[j]
            let parameters = String(decoding: b[(i + 2)..<j], as: UTF8.self)
            return (csiKey(final: final, parameters: parameters), j + 1 - i)
        case UInt8(ascii: "O"):
            guard i + 2 < b.count else { return nil }
            return (csiKey(final: b[i + 2], parameters: ""), 3)
        case UInt8(ascii: "b"): return (.wordLeft, 2)
        case UInt8(ascii: "f"): return (.wordRight, 2)
        // Alt-Backspace deletes a word, as Ctrl-W does.
        case 0x7F, 0x08: return (.control("w"), 2)
        default:
            // ESC then something else: Escape, and the rest read on its own.
            return (.escape, 1)
        }
    }

    static func csiKey(final: UInt8, parameters: String) -> Key? {
        let fields = parameters.split(separator: ";", omittingEmptySubsequences: false)
        // A modifier (`1;5C` is Ctrl-Right): Ctrl, Alt or both move by words.
        let modifier = fields.count > 1 ? Int(fields[1]) ?? 1 : 1
        let byWord = modifier > 1 && (modifier - 1) & 0b110 != 0
        switch final {
        case UInt8(ascii: "A"): return .up
        case UInt8(ascii: "B"): return .down
        case UInt8(ascii: "C"): return byWord ? .wordRight : .right
        case UInt8(ascii: "D"): return byWord ? .wordLeft : .left
        case UInt8(ascii: "H"): return .home
        case UInt8(ascii: "F"): return .end
        case UInt8(ascii: "Z"): return .backTab
        case UInt8(ascii: "~"):
            switch fields.first.flatMap({ Int($0) }) {
            case 1, 7: return .home
            case 4, 8: return .end
            case 3: return .delete
            case 5: return .pageUp
            case 6: return .pageDown
            case 200: return .paste("")
            default: return nil
            }
        default: return nil
        }
    }

    /// The length of the UTF-8 sequence a lead byte starts; 0 for a byte that starts none.
    static func utf8Length(_ lead: UInt8) -> Int {
        switch lead {
        case 0x20...0x7E: return 1
        case 0xC2...0xDF: return 2
        case 0xE0...0xEF: return 3
        case 0xF0...0xF4: return 4
        default: return 0
        }
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard haystack.count - start >= needle.count else { return nil }
        var i = start
        while i + needle.count <= haystack.count {
            if haystack[i] == needle[0], Array(haystack[i..<(i + needle.count)]) == needle { return i }
            i += 1
        }
        return nil
    }

    /// How many bytes at the end of `bytes` are a proper prefix of `marker`.
    static func partialSuffix(of bytes: ArraySlice<UInt8>, matching marker: [UInt8]) -> Int {
        for length in stride(from: min(marker.count - 1, bytes.count), to: 0, by: -1)
        where Array(bytes.suffix(length)) == Array(marker.prefix(length)) {
            return length
        }
        return 0
    }
}
