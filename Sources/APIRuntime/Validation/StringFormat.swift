import Foundation

/// The string `format`s the generator supports, each with the check it implies.
public enum StringFormat: String, Sendable {
    case uuid
    case uri
    case email
    /// One Unicode emoji sequence (an application format: see `EmojiSequence`).
    case emoji

    /// Whether the text satisfies the format.
    public func accepts(_ text: String) -> Bool {
        switch self {
        case .uuid: return Self.isUUID(text)
        case .uri: return Self.isAbsoluteURI(text)
        case .email: return Self.isEmail(text)
        case .emoji: return EmojiSequence.isSingle(text)
        }
    }

    var requirement: String {
        switch self {
        case .uuid: return "must be a UUID"
        case .uri: return "must be an absolute URI"
        case .email: return "must be an email address"
        case .emoji: return "must be a single emoji"
        }
    }

    /// 8-4-4-4-12 hexadecimal digits, any case.
    static func isUUID(_ text: String) -> Bool { UUID(parsing: text) != nil }

    /// A scheme, a colon and more, with no spaces or control characters (RFC 3986's absolute form).
    static func isAbsoluteURI(_ text: String) -> Bool {
        guard let colon = text.firstIndex(of: ":"), colon != text.startIndex, text.index(after: colon) != text.endIndex
        else { return false }
        let scheme = text[..<colon]
        guard let first = scheme.unicodeScalars.first, first.isASCIILetter else { return false }
        let schemeOK = scheme.unicodeScalars.allSatisfy {
            $0.isASCIILetter || ("0"..."9").contains($0) || "+-.".unicodeScalars.contains($0)
        }
        let restOK = text.unicodeScalars.allSatisfy {
            $0.value > 0x20 && $0.value != 0x7F && !"<>\"{}|\\^`".unicodeScalars.contains($0)
        }
        return schemeOK && restOK && URL(string: text) != nil
    }

    static func isEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !text.contains(" ")
    }
}

extension Unicode.Scalar {
    fileprivate var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
}
