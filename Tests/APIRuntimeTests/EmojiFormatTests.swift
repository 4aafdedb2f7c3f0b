import APIRuntime
import Testing

/// The `emoji` string format: one Unicode emoji sequence, as a reaction carries.
@Suite struct EmojiFormatTests {
    @Test(arguments: [
        "👍", "👍🏽", "❤️", "👩‍💻", "👨‍👩‍👧‍👦", "🇫🇷", "#️⃣", "1️⃣", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "🎉", "🫶", "☺️",
    ])
    func emojiSequencesAreAccepted(_ text: String) {
        #expect(StringFormat.emoji.accepts(text), "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
    }

    @Test(arguments: [
        "", "a", "1", "#", "*", "→", "❤", "☺", "👍👍", "👍 ", " 👍", "ab", "\u{200D}", "\u{FE0F}", "🇫",
        "e\u{301}", "\u{E000}", "👍\u{0301}",
    ])
    func otherTextsAreRefused(_ text: String) {
        #expect(!StringFormat.emoji.accepts(text), "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
    }

    @Test func aSequenceLongerThanTheBoundIsRefused() {
        let long = String(repeating: "👍\u{200D}", count: 9) + "👍"
        #expect(long.count == 1)
        #expect(!StringFormat.emoji.accepts(long))
    }
}
