/// The string `pattern`s the generator supports (see `StringRules.Pattern` in CodegenCore, which holds each one's
/// regular expression), each checked here without a regular-expression engine.
public enum StringPattern: String, Sendable, CaseIterable {
    /// `^[^\u0000]*$`
    case noNUL
    /// `[^\u0009-\u000d \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]`
    case notBlank
    /// `^[Hh][Tt][Tt][Pp][Ss]?://`
    case httpURL

    /// Whether the text matches the pattern.
    public func accepts(_ text: String) -> Bool {
        switch self {
        case .noNUL:
            return !text.utf8.contains(0)
        case .notBlank:
            return text.unicodeScalars.contains { !Self.isWhiteSpace($0) }
        case .httpURL:
            let scheme = text.utf8.prefix(8).map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }
            return scheme.starts(with: "http://".utf8) || scheme.starts(with: "https://".utf8)
        }
    }

    /// ECMA-262's WhiteSpace and LineTerminator code points: the set `notBlank`'s class leaves out.
    static func isWhiteSpace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x20, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF:
            return true
        default:
            return false
        }
    }

    var requirement: String {
        switch self {
        case .noNUL: return "must not contain NUL characters"
        case .notBlank: return "must not be blank"
        case .httpURL: return "must be an http or https URL"
        }
    }
}
