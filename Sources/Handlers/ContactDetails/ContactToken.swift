/// A run of folded text of one kind: a word, a number, white space, or one symbol.
struct ContactToken: Sendable {
    enum Kind: Sendable { case word, digits, space, symbol }

    var kind: Kind
    /// The folded text of the run.
    var text: String
    /// The folded characters `start..<end` the token spans.
    var start: Int
    var end: Int

    /// A space token of one space or tab (a line break separates more than a space does).
    var isInlineSpace: Bool { kind == .space && !text.unicodeScalars.contains { (0x0A...0x0D).contains($0.value) } }

    /// The symbol of a symbol token (one character; its first scalar).
    var symbol: Unicode.Scalar? { kind == .symbol ? text.unicodeScalars.first : nil }

    func isSymbol(_ symbol: Unicode.Scalar) -> Bool { self.symbol == symbol }

    /// Whether this is a symbol token of one of `symbols`.
    func isSymbol(in symbols: String) -> Bool {
        guard let symbol else { return false }
        return symbols.unicodeScalars.contains(symbol)
    }

    func isWord(_ word: String) -> Bool { kind == .word && text == word }

    /// Splits folded text into tokens: letters into words, ASCII digits into numbers, white space into spaces,
    /// and every other character into a symbol of its own.
    static func tokens(of folded: FoldedText) -> [ContactToken] {
        var tokens: [ContactToken] = []
        var index = 0
        let characters = folded.characters
        while index < characters.count {
            let kind = Self.kind(of: characters[index])
            var end = index + 1
            if kind != .symbol {
                while end < characters.count, Self.kind(of: characters[end]) == kind { end += 1 }
            }
            let text = Self.string(characters[index..<end])
            tokens.append(ContactToken(kind: kind, text: text, start: index, end: end))
            index = end
        }
        return tokens
    }

    /// The text of folded scalars, encoded straight into a string's storage.
    private static func string(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        let capacity = scalars.reduce(0) { $0 + UTF8.width($1) }
        return String(unsafeUninitializedCapacity: capacity) { buffer in
            var count = 0
            for scalar in scalars {
                UTF8.encode(scalar) { unit in
                    buffer[count] = unit
                    count += 1
                }
            }
            return count
        }
    }

    private static func kind(of scalar: Unicode.Scalar) -> Kind {
        switch scalar.value {
        case 0x30...0x39: return .digits
        case 0x61...0x7A, 0x41...0x5A: return .word
        case 0x09...0x0D, 0x20: return .space
        case 0...0x7F: return .symbol
        default:
            if scalar.properties.isAlphabetic { return .word }
            if scalar.properties.isWhitespace { return .space }
            return .symbol
        }
    }
}
