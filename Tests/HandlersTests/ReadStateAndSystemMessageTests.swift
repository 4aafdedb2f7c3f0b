import APIRuntime
import Foundation
import Generated
import Testing

@testable import Handlers

/// What the design document's frontends rely on: `isRead` means the recipient has read the message (the same answer
/// for both participants), the conversation tells how far the other participant has read, cursors page from the
/// cursor, and contract changes write system messages.
@Suite(.serialized) struct ReadStateAndSystemMessageTests {
    @Test func isReadTellsBothParticipantsWhetherTheRecipientHasRead() async throws {
        try await Fixture.run { fixture in
            let conversation = try await fixture.startConversation()
            let sent = try await fixture.send(conversation, from: Fixture.client, "are you there?")
            #expect(sent.isRead == false)
            let live = try #require(await fixture.sink.events(named: "new_message").last)
            #expect(String(decoding: live.argument, as: UTF8.self).contains(#""isRead":false"#))
            for viewer in [Fixture.client, Fixture.freelancer] {
                let page = try await fixture.service.messages(
                    in: conversation,
                    viewer: viewer,
                    query: .init(page: 1, limit: 20)
                )
                #expect(page.messages.map(\.isRead) == [false, false], "viewer \(viewer)")
            }
            let before = try await fixture.service.conversation(conversation, viewer: Fixture.client)
            #expect(before.otherLastReadMessageId == nil && before.otherLastReadAt == nil)

            let state = try await fixture.service.markRead(conversation, reader: Fixture.freelancer)
            #expect(state.lastReadMessageId == sent.id)
            for viewer in [Fixture.client, Fixture.freelancer] {
                let page = try await fixture.service.messages(
                    in: conversation,
                    viewer: viewer,
                    query: .init(page: 1, limit: 20)
                )
                #expect(page.messages.map(\.isRead) == [true, true], "viewer \(viewer)")
            }
            let seen = try await fixture.service.conversation(conversation, viewer: Fixture.client)
            #expect(seen.otherLastReadMessageId == sent.id)
            #expect(seen.otherLastReadAt == state.readAt)
            let listed = try await fixture.service.conversations(
                viewer: Fixture.client,
                query: .init(page: 1, limit: 20)
            )
            #expect(listed.conversations.first?.otherLastReadMessageId == sent.id)
            // The freelancer's own view: the client has read nothing yet.
            let freelancerView = try await fixture.service.conversation(conversation, viewer: Fixture.freelancer)
            #expect(freelancerView.otherLastReadMessageId == nil)
            let receipt = try #require(await fixture.sink.events(named: "messages_read").last)
            #expect(String(decoding: receipt.argument, as: UTF8.self).contains(#""lastReadMessageId":"\#(sent.id)""#))

            // The freelancer's answer is unread for both until the client reads.
            let answer = try await fixture.send(conversation, from: Fixture.freelancer, "yes")
            let clientPage = try await fixture.service.messages(
                in: conversation,
                viewer: Fixture.client,
                query: .init(page: 1, limit: 20)
            )
            #expect(clientPage.messages.map(\.isRead) == [true, true, false])
            #expect(clientPage.messages.last?.id == answer.id)
        }
    }

    @Test func aRetryAnswersWithTheRecipientsReadState() async throws {
        try await Fixture.run { fixture in
            let conversation = try await fixture.startConversation()
            let sent = try await fixture.send(conversation, from: Fixture.client, "once", clientMessageId: "k-1")
            _ = try await fixture.service.markRead(conversation, reader: Fixture.freelancer)
            let retried = try await fixture.send(conversation, from: Fixture.client, "once", clientMessageId: "k-1")
            #expect(retried.id == sent.id)
            #expect(retried.isRead)
        }
    }

    @Test func cursorPagesCountFromTheCursorAndTwoCursorsBoundARange() async throws {
        try await Fixture.run { fixture in
            let conversation = try await fixture.startConversation()
            var ids: [String] = []
            for index in 1...20 {
                ids.append(try await fixture.send(conversation, from: Fixture.client, "m\(index)").id)
            }
            func page(_ query: HistoryQuery) async throws -> MessageList {
                try await fixture.service.messages(in: conversation, viewer: Fixture.freelancer, query: query)
            }
            // Page 2 before m15 is the second group of 4 older than m15: m7...m10.
            let second = try await page(.init(before: ids[14], page: 2, limit: 4))
            #expect(second.messages.map(\.content) == (7...10).map { "m\($0)" })
            #expect(second.page == 2 && second.limit == 4 && second.total == 21 && second.hasMore)
            // Page 2 after m3: m9...m13.
            let forward = try await page(.init(after: ids[2], page: 2, limit: 5))
            #expect(forward.messages.map(\.content) == (9...13).map { "m\($0)" })
            #expect(forward.hasMore)
            // Between m5 and m9, exclusive, oldest first.
            let between = try await page(.init(before: ids[8], after: ids[4], page: 1, limit: 10))
            #expect(between.messages.map(\.content) == ["m6", "m7", "m8"])
            #expect(between.hasMore == false)
            let narrow = try await page(.init(before: ids[8], after: ids[4], page: 1, limit: 2))
            #expect(narrow.messages.map(\.content) == ["m6", "m7"])
            #expect(narrow.hasMore)
            // Crossed cursors select nothing.
            let crossed = try await page(.init(before: ids[2], after: ids[8], page: 1, limit: 10))
            #expect(crossed.messages.isEmpty && crossed.total == 21)
        }
    }

    @Test func contractChangesWriteSystemMessagesIntoItsConversations() async throws {
        try await Fixture.run { fixture in
            let main = try await fixture.startConversation()
            let milestone = try await fixture.startConversation(milestone: "m1")
            _ = try await fixture.service.markRead(main, reader: Fixture.freelancer)
            let eventsBefore = await fixture.sink.events(named: "new_message").count

            // A new milestone is announced in the main conversation only; a known one is not announced again.
            _ = try await fixture.service.upsertContract(
                id: Fixture.contract,
                UpsertContractRequest(
                    clientId: Fixture.client,
                    freelancerId: Fixture.freelancer,
                    milestones: [MilestoneInput(id: "m1"), MilestoneInput(id: "m2", title: "Final delivery")]
                )
            )
            var history = try await fixture.service.messages(
                in: main,
                viewer: Fixture.client,
                query: .init(page: 1, limit: 20)
            )
            let notice = try #require(history.messages.last)
            #expect(notice.messageType == .system)
            #expect(notice.content == "Milestone added: Final delivery.")
            #expect(notice.sender.id == "system" && notice.sender.firstName == "System")
            #expect(notice.isRead == false)
            #expect(try await fixture.unread(main, for: Fixture.client) == 1)
            #expect(try await fixture.unread(main, for: Fixture.freelancer) == 1)
            let milestoneHistory = try await fixture.service.messages(
                in: milestone,
                viewer: Fixture.client,
                query: .init(page: 1, limit: 20)
            )
            #expect(milestoneHistory.messages.allSatisfy { $0.messageType != .system })

            // Completing the contract writes into every conversation of it, and the list shows it last.
            _ = try await fixture.service.upsertContract(
                id: Fixture.contract,
                UpsertContractRequest(clientId: Fixture.client, freelancerId: Fixture.freelancer, status: .completed)
            )
            for conversation in [main, milestone] {
                history = try await fixture.service.messages(
                    in: conversation,
                    viewer: Fixture.freelancer,
                    query: .init(page: 1, limit: 20)
                )
                #expect(history.messages.last?.content == "The contract was marked as completed.")
                let listed = try await fixture.service.conversation(conversation, viewer: Fixture.freelancer)
                #expect(listed.lastMessage?.senderId == "system")
                #expect(listed.lastMessage?.content == "The contract was marked as completed.")
                #expect(listed.isActive == false)
            }
            // The same status again writes nothing; reopening does.
            _ = try await fixture.service.upsertContract(
                id: Fixture.contract,
                UpsertContractRequest(clientId: Fixture.client, freelancerId: Fixture.freelancer, status: .completed)
            )
            _ = try await fixture.service.upsertContract(
                id: Fixture.contract,
                UpsertContractRequest(clientId: Fixture.client, freelancerId: Fixture.freelancer, status: .active)
            )
            history = try await fixture.service.messages(
                in: main,
                viewer: Fixture.client,
                query: .init(page: 1, limit: 20)
            )
            #expect(
                history.messages.filter { $0.messageType == .system }.map(\.content) == [
                    "Milestone added: Final delivery.", "The contract was marked as completed.",
                    "The contract was reopened.",
                ]
            )
            // Each system message went live: new_message to the room, message_notification to both participants.
            let live = await fixture.sink.events(named: "new_message").dropFirst(eventsBefore)
            #expect(live.count == 5)
            let notifications = await fixture.sink.events(named: "message_notification").filter {
                String(decoding: $0.argument, as: UTF8.self).contains(#""messageType":"system""#)
            }
            #expect(notifications.count == 5)
            #expect(
                notifications.allSatisfy {
                    Set($0.target.rooms) == ["user:\(Fixture.client)", "user:\(Fixture.freelancer)"]
                }
            )
            // Once both have read, a system message reads true for both.
            _ = try await fixture.service.markRead(main, reader: Fixture.client)
            history = try await fixture.service.messages(
                in: main,
                viewer: Fixture.client,
                query: .init(page: 1, limit: 20)
            )
            #expect(history.messages.last?.isRead == false)
            _ = try await fixture.service.markRead(main, reader: Fixture.freelancer)
            history = try await fixture.service.messages(
                in: main,
                viewer: Fixture.client,
                query: .init(page: 1, limit: 20)
            )
            #expect(history.messages.last?.isRead == true)
        }
    }
}
