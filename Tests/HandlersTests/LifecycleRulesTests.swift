import Foundation
import Testing

@testable import Handlers

/// The pure rules of a message's later life: how a search headline becomes HTML, and who sees which reactions.
@Suite struct LifecycleRulesTests {
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
