import Foundation

/// A message's text folded to what a reader sees, so that disguised contact details read as plain ones:
/// compatibility forms (full-width letters, circled digits) become their plain letters, accents are dropped,
/// letters are lower-cased, digits of every script become ASCII digits, Cyrillic and Greek letters that look like
/// Latin ones become those, and invisible characters (zero-width spaces and joiners, soft hyphens) disappear.
///
/// Each folded character remembers the unicode scalar of the original text it came from, so a finding in the
/// folded text covers exactly the original characters.
struct FoldedText {
    /// The folded scalars: ASCII where the original was Latin-like, otherwise the lower-cased original.
    let characters: [Unicode.Scalar]
    /// For each folded character, the offset of its original unicode scalar.
    let origins: [Int]
    /// The original text's scalars, which masking rewrites.
    let scalars: [Unicode.Scalar]

    init(_ text: String) {
        scalars = Array(text.unicodeScalars)
        var characters: [Unicode.Scalar] = []
        var origins: [Int] = []
        characters.reserveCapacity(scalars.count)
        origins.reserveCapacity(scalars.count)
        for (offset, scalar) in scalars.enumerated() {
            if scalar.isASCII {
                // Most text is ASCII: lower-cased in place, without the general fold's array.
                characters.append(Self.lowerASCII(scalar))
                origins.append(offset)
                continue
            }
            for folded in Self.fold(scalar) {
                characters.append(folded)
                origins.append(offset)
            }
        }
        self.characters = characters
        self.origins = origins
    }

    var count: Int { characters.count }

    /// The original scalar offsets that folded characters `start..<end` cover, stretched over the scalars the
    /// fold dropped right after them (combining marks, invisible characters).
    func originalRange(_ start: Int, _ end: Int) -> Range<Int> {
        let from = origins[start]
        let to = end < origins.count ? origins[end] : scalars.count
        return from..<max(to, from + 1)
    }

    // MARK: Folding one scalar

    private static func fold(_ scalar: Unicode.Scalar) -> [Unicode.Scalar] {
        if invisible.contains(scalar.value) { return [] }
        if let digit = digit(scalar) { return [digit] }
        if let latin = lookAlikes[scalar] { return [latin] }
        if scalar.isASCII { return [lowerASCII(scalar)] }
        var folded: [Unicode.Scalar] = []
        for part in String(scalar).decomposedStringWithCompatibilityMapping.lowercased().unicodeScalars {
            if part.properties.generalCategory == .nonspacingMark || invisible.contains(part.value) { continue }
            if let digit = digit(part) {
                folded.append(digit)
            } else if let latin = lookAlikes[part] {
                folded.append(latin)
            } else {
                folded.append(part)
            }
        }
        return folded
    }

    private static func lowerASCII(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        let value = scalar.value
        return Unicode.Scalar(UInt8((0x41...0x5A).contains(value) ? value + 0x20 : value))
    }

    /// An ASCII digit for a decimal digit of any script (Arabic-Indic, Devanagari, full-width, mathematical).
    private static func digit(_ scalar: Unicode.Scalar) -> Unicode.Scalar? {
        guard scalar.properties.generalCategory == .decimalNumber, let value = scalar.properties.numericValue,
            value >= 0, value <= 9
        else { return nil }
        return Unicode.Scalar(UInt8(ascii: "0") + UInt8(value))
    }

    /// Zero-width spaces and joiners, word joiner, byte-order mark, soft hyphen, invisible operators.
    private static let invisible: Set<UInt32> = [
        0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180E, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F,
        0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0xFEFF,
    ]

    /// Cyrillic and Greek lower-case letters (and a few symbols) drawn like Latin letters.
    private static let lookAlikes: [Unicode.Scalar: Unicode.Scalar] = {
        let pairs: [(UInt32, Unicode.Scalar)] = [
            // Cyrillic
            (0x0430, "a"), (0x0435, "e"), (0x043E, "o"), (0x0440, "p"), (0x0441, "c"), (0x0443, "y"), (0x0445, "x"),
            (0x0456, "i"), (0x0458, "j"), (0x0455, "s"), (0x0501, "d"), (0x04CF, "l"), (0x043A, "k"), (0x043C, "m"),
            (0x043D, "h"), (0x0442, "t"), (0x0432, "b"), (0x0433, "r"), (0x0454, "e"), (0x051B, "q"), (0x051D, "w"),
            // Greek
            (0x03BF, "o"), (0x03B1, "a"), (0x03B5, "e"), (0x03B9, "i"), (0x03BA, "k"), (0x03BD, "v"), (0x03C1, "p"),
            (0x03C4, "t"), (0x03C5, "u"), (0x03C7, "x"), (0x03B7, "n"), (0x03C9, "w"),
            // Symbols that stand for the at sign and the dot
            (0xFE6B, "@"), (0x2024, "."), (0x3002, "."), (0xFF0E, "."), (0x2219, "."), (0x00B7, "."),
        ]
        return Dictionary(uniqueKeysWithValues: pairs.map { (Unicode.Scalar($0.0)!, $0.1) })
    }()
}
