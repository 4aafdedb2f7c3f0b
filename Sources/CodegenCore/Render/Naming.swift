/// Turns spec names into Swift and TypeScript identifiers.
enum Naming {
    static let swiftKeywords: Set<String> = [
        "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import", "init", "inout",
        "internal", "let", "open", "operator", "private", "protocol", "public", "rethrows", "static", "struct",
        "subscript", "typealias", "var", "break", "case", "continue", "default", "defer", "do", "else",
        "fallthrough", "for", "guard", "if", "in", "repeat", "return", "switch", "where", "while", "as", "Any",
        "catch", "false", "is", "nil", "super", "self", "Self", "throw", "throws", "true", "try", "Type",
    ]

    /// `join_conversation` → `JoinConversation`, `MessageType` → `MessageType`.
    static func typeName(_ name: String) -> String {
        let words = words(of: name)
        let joined = words.map { capitalized($0) }.joined()
        return prefixIfNeeded(joined)
    }

    /// `BAD_REQUEST` → `badRequest`, `X-Service-Key` → `xServiceKey`, `userId` → `userId`.
    static func memberName(_ name: String) -> String {
        let words = words(of: name)
        guard let first = words.first else { return "_" }
        let head = first == first.uppercased() ? first.lowercased() : lowerFirst(first)
        let joined = head + words.dropFirst().map { capitalized($0) }.joined()
        return prefixIfNeeded(joined)
    }

    /// A member name usable in declarations (keywords in backticks).
    static func swiftIdentifier(_ name: String) -> String {
        let member = memberName(name)
        return swiftKeywords.contains(member) ? "`\(member)`" : member
    }

    /// A string literal for Swift or TypeScript source.
    static func literal(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 {
                    result += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }

    private static func words(of name: String) -> [String] {
        var words: [String] = []
        var current = ""
        for character in name {
            if character.isLetter || character.isNumber {
                current.append(character)
            } else if !current.isEmpty {
                words.append(current)
                current = ""
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    private static func capitalized(_ word: String) -> String {
        let normalized = word == word.uppercased() && word.count > 1 ? word.lowercased() : word
        return normalized.prefix(1).uppercased() + normalized.dropFirst()
    }

    private static func lowerFirst(_ word: String) -> String {
        word.prefix(1).lowercased() + word.dropFirst()
    }

    private static func prefixIfNeeded(_ name: String) -> String {
        guard let first = name.first else { return "_" }
        return first.isNumber ? "_" + name : name
    }
}
