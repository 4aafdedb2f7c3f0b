import Foundation
import Testing

@testable import Handlers

/// The pure rules of a message's later life: which texts are one emoji, and how a search headline becomes HTML.
@Suite struct LifecycleRulesTests {
    @Test(arguments: [
        "👍", "👍🏽", "❤️", "👩‍💻", "👨‍👩‍👧‍👦", "🇫🇷", "#️⃣", "1️⃣", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "🎉", "🫶", "☺️",
    ])
    func emojiSequencesAreAccepted(_ text: String) {
        #expect(Emoji.isValid(text), "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
    }

    @Test(arguments: [
        "", "a", "1", "#", "*", "→", "❤", "☺", "👍👍", "👍 ", " 👍", "ab", "\u{200D}", "\u{FE0F}", "🇫",
        "e\u{301}", "\u{E000}", "👍\u{0301}",
    ])
    func otherTextsAreRefused(_ text: String) {
        #expect(!Emoji.isValid(text), "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
    }

    @Test func aSequenceLongerThanTheBoundIsRefused() {
        let long = String(repeating: "👍\u{200D}", count: 9) + "👍"
        #expect(long.count == 1)
        #expect(!Emoji.isValid(long))
    }

    @Test func snippetsEscapeTheTextAndMarkTheMatches() {
        let headline = "a <b>\u{E000}logo\u{E001}</b> & \"it's\" \u{E000}ready\u{E001}"
        #expect(
            MessageStore.snippetHTML(headline)
                == "a &lt;b&gt;<mark>logo</mark>&lt;/b&gt; &amp; &quot;it&#39;s&quot; <mark>ready</mark>"
        )
        // A `<` goes through the headline as a private-use character.
        #expect(MessageStore.snippetHTML("a\u{E002}b> c") == "a&lt;b&gt; c")
        // A marker followed by a combining mark is still a marker.
        #expect(MessageStore.snippetHTML("\u{E000}\u{301}x\u{E001}") == "<mark>\u{301}x</mark>")
    }

    @Test func reactionGroupsAreSeenByEachViewer() {
        let groups = [
            ReactionGroup(emoji: "👍", users: ["a", "b"]), ReactionGroup(emoji: "🎉", users: ["b"]),
        ]
        #expect(groups.reactions(for: "a").map(\.mine) == [true, false])
        #expect(groups.reactions(for: "b").map(\.mine) == [true, true])
        #expect(groups.reactions(for: "a").map(\.count) == [2, 1])
    }
}
