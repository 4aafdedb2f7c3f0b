import APIRuntime
import Foundation
import Generated
import Handlers
import Synchronization
import Testing

/// Edits, deletions, reactions and the change cursor over a real database, where concurrency decides.
@Suite struct MessageLifecycleTests {
    @Test func deletionsKeepUnreadCountsAndTheLastMessageExact() async throws {
        try await Fixture.run { fixture in
            let conversation = try await fixture.startConversation()
            let read = try await fixture.send(conversation, from: Fixture.client, "read one")
            _ = try await fixture.service.markRead(conversation, reader: Fixture.freelancer)
            let unread = try await fixture.send(conversation, from: Fixture.client, "unread one")
            let newest = try await fixture.send(conversation, from: Fixture.client, "newest")
            #expect(try await fixture.unread(conversation, for: Fixture.freelancer) == 2)
            _ = try await fixture.service.delete(read.id, in: conversation, by: Fixture.client)
            #expect(try await fixture.unread(conversation, for: Fixture.freelancer) == 2)
            _ = try await fixture.service.delete(unread.id, in: conversation, by: Fixture.client)
            #expect(try await fixture.unread(conversation, for: Fixture.freelancer) == 1)
            _ = try await fixture.service.delete(newest.id, in: conversation, by: Fixture.client)
            #expect(try await fixture.unread(conversation, for: Fixture.freelancer) == 0)
            let seen = try await fixture.service.conversation(conversation, viewer: Fixture.freelancer)
            #expect(seen.lastMessage?.content == "first")
            // A new message still sorts after the deleted newest one and becomes the last message.
            let next = try await fixture.send(conversation, from: Fixture.freelancer, "after the deletions")
            #expect(newest.id < next.id)
            let after = try await fixture.service.conversation(conversation, viewer: Fixture.client)
            #expect(after.lastMessage?.content == "after the deletions" && after.unreadCount == 1)
            let deleted = await fixture.sink.events(named: "message_deleted")
            #expect(deleted.count == 3)
        }
    }

    /// A reader polling the change cursor while both participants send, edit and react ends with every message in
    /// its final state: no change committed behind the cursor is skipped.
    @Test func theChangeCursorSkipsNothingUnderConcurrentWriters() async throws {
        try await Fixture.run { fixture in
            let conversation = try await fixture.startConversation()
            let start = try await fixture.service.messages(
                in: conversation,
                viewer: Fixture.freelancer,
                query: HistoryQuery(page: 1, limit: 1)
            )
            let seeds = try await withThrowingTaskGroup(of: Message.self) { group in
                for index in 0..<6 {
                    group.addTask { try await fixture.send(conversation, from: Fixture.client, "seed \(index)") }
                }
                return try await group.reduce(into: [Message]()) { $0.append($1) }
            }
            let done = Mutex(false)
            let writers = Task {
                defer { done.withLock { $0 = true } }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for round in 0..<8 {
                        for seed in seeds {
                            group.addTask {
                                _ = try await fixture.service.edit(
                                    seed.id,
                                    in: conversation,
                                    by: Fixture.client,
                                    content: "\(seed.content) r\(round)"
                                )
                            }
                        }
                        group.addTask {
                            _ = try await fixture.send(conversation, from: Fixture.freelancer, "reply \(round)")
                        }
                        group.addTask {
                            _ = try await fixture.service.react(
                                seeds[round % seeds.count].id,
                                in: conversation,
                                by: Fixture.freelancer,
                                emoji: round.isMultiple(of: 2) ? "👍" : "🎉",
                                on: true
                            )
                        }
                    }
                    try await group.waitForAll()
                }
            }
            var latest: [String: Message] = [:]
            var cursor = start.changeCursor
            var polls = 0
            // Poll to the end of the changes until one whole poll began after the writers had finished.
            while true {
                let writersDone = done.withLock { $0 }
                while true {
                    let page = try await fixture.service.changes(
                        in: conversation,
                        viewer: Fixture.freelancer,
                        since: cursor,
                        limit: 7
                    )
                    for message in page.messages { latest[message.id] = message }
                    #expect(page.cursor >= cursor)
                    cursor = page.cursor
                    polls += 1
                    if !page.hasMore { break }
                }
                if writersDone { break }
                try await Task.sleep(for: .milliseconds(2))
            }
            try await writers.value
            let history = try await fixture.service.messages(
                in: conversation,
                viewer: Fixture.freelancer,
                query: HistoryQuery(page: 1, limit: 100)
            )
            let final = history.messages.filter { $0.content != "first" }
            #expect(final.count == 14)
            for message in final {
                #expect(latest[message.id] == message, "\(message.content)")
            }
            #expect(polls > 2, "the reader polled while the writers wrote")
        }
    }
}
