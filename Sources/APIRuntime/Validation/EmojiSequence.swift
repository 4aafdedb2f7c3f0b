/// The text the `emoji` string format accepts: one Unicode emoji sequence, that is one extended grapheme cluster made of emoji
/// scalars and the pieces that join or modify them (ZWJ, variation selectors, skin-tone modifiers, the keycap mark,
/// tag characters), shown as an emoji. Plain text (`A`, `1`, `#`, `→`) is refused even where Unicode counts the
/// character as able to become an emoji, unless a variation selector or keycap mark makes it one.
enum EmojiSequence {
    /// The longest sequence accepted, in scalars (the longest standard ones, families and subdivision flags, have 7
    /// to 10) and in UTF-8 bytes.
    static let maxScalars = 16
    static let maxBytes = 64

    /// Whether `text` is exactly one emoji.
    static func isSingle(_ text: String) -> Bool {
        guard text.count == 1, text.utf8.count <= maxBytes else { return false }
        let scalars = Array(text.unicodeScalars)
        guard scalars.count <= maxScalars else { return false }
        var pictured = false
        var regionalIndicators = 0
        var bases = 0
        for scalar in scalars {
            switch scalar.value {
            case 0x200D:
                // The zero-width joiner between the parts of a sequence.
                continue
            case 0xFE0F, 0x20E3:
                // The emoji presentation selector and the combining keycap make what they follow an emoji.
                pictured = true
            case 0xE0020...0xE007F:
                // Tag characters of subdivision flags.
                continue
            case 0x1F1E6...0x1F1FF:
                // Regional indicators: a pair is a flag.
                regionalIndicators += 1
                bases += 1
                pictured = true
            default:
                let properties = scalar.properties
                guard properties.isEmoji || properties.isEmojiModifier else { return false }
                if !properties.isEmojiModifier { bases += 1 }
                if properties.isEmojiPresentation || properties.isEmojiModifier { pictured = true }
            }
        }
        return pictured && bases > 0 && (regionalIndicators == 0 || regionalIndicators == 2)
    }
}
