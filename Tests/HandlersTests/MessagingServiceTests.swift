import APIRuntime
import Foundation
import Generated
import Handlers
import Testing

@Suite struct MessagingServiceTests {
    @Test func createStartsTheConversationAndNotifiesTheOtherParticipant() async throws {
        try await Fixture.run { fixture in
            let conversation = try await fixture.startConversation()
            #expect(try await fixture.unread(conversation, for: Fixture.freelancer) == 1)
            #expect(try await fixture.unread(conversation, for: Fixture.client) == 0)
            let newMessages = await fixture.sink.events(named: "new_message")
            #expect(newMessages.map(\.target) == [.room("conversation:\(conversation)")])
            let notifications = await fixture.sink.events(named: "message_notification")
            #expect(notifications.map(\.target.rooms) == [["user:\(Fixture.freelancer)"]])
            #expect(notifications.first?.target.exceptRooms == ["user:\(Fixture.client)"])
            let again = try await fixture.service.create(
                CreateMessageRequest(contractId: Fixture.contract, content: "second"),
                from: Fixture.freelancer
            )
            #expect(again.message.conversationId == conversation)
        }
    }

    @Test func milestoneConversationsAreSeparate() async throws {
        try await Fixture.run { fixture in
            let main = try await fixture.startConversation()
            let milestone = try await fixture.startConversation(milestone: "m1")
            #expect(main != milestone)
            let detail = try await fixture.service.conversation(milestone, viewer: Fixture.freelancer)
            #expect(detail.milestoneId == "m1")
            #expect(detail.client.id == Fixture.client)
            #expect(detail.freelancer.id == Fixture.freelancer)
        }
    }

    @Test func unreadCountsStayExactUnderConcurrentSenders() async throws {
        try await Fixture.run { fixture in
            let conversation = try await fixture.startConversation()
            _ = try await fixture.service.markRead(conversation, reader: Fixture.freelancer)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<40 {
                    let sender = index.isMultiple(of: 2) ? Fixture.client : Fixture.freelancer
                    group.addTask { _ = try await fixture.send(conversation, from: sender, "m\(index)") }
                }
                try await group.waitForAll()
            }
            #expect(try await fixture.unread(conversation, for: Fixture.freelancer) == 20)
            #expect(try await fixture.unread(conversation, for: Fixture.client) == 20)
        }
    }

    /// Concurrent sends are written in shared batches across conversations; each conversation still ends with its
    /// own exact count, newest message, unread counts, and an archive lifted only by the other participant.
    @Test func concurrentSendsAcrossConversationsKeepEachConversationExact() async throws {
        try await Fixture.run { fixture in
            let main = try await fixture.startConversation()
            let milestone = try await fixture.startConversation(milestone: "m1")
            _ = try await fixture.service.markRead(main, reader: Fixture.freelancer)
            _ = try await fixture.service.markRead(milestone, reader: Fixture.freelancer)
            _ = try await fixture.service.setArchived(true, conversationId: milestone, user: Fixture.client)
            let sent = try await withThrowingTaskGroup(of: Message.self) { group in
                for index in 0..<60 {
                    // main: 20 from the client, 10 from the freelancer; milestone: 30 from the freelancer.
                    let (conversation, sender) =
                        index < 30
                        ? (main, index < 20 ? Fixture.client : Fixture.freelancer)
                        : (milestone, Fixture.freelancer)
                    group.addTask { try await fixture.send(conversation, from: sender, "b\(index)") }
                }
                return try await group.reduce(into: [Message]()) { $0.append($1) }
            }
            #expect(Set(sent.map(\.id)).count == 60)
            #expect(try await fixture.unread(main, for: Fixture.freelancer) == 20)
            #expect(try await fixture.unread(main, for: Fixture.client) == 10)
            #expect(try await fixture.unread(milestone, for: Fixture.client) == 30)
            #expect(try await fixture.unread(milestone, for: Fixture.freelancer) == 0)
            for conversation in [main, milestone] {
                let page = try await fixture.service.messages(
                    in: conversation,
                    viewer: Fixture.client,
                    query: .init(page: 1, limit: 100)
                )
                let newest = sent.filter { $0.conversationId == conversation }.max { $0.id < $1.id }
                #expect(page.total == page.messages.count)
                let detail = try await fixture.service.conversation(conversation, viewer: Fixture.client)
                #expect(detail.lastMessage?.content == newest?.content)
                #expect(!detail.isArchived)
            }
        }
    }

    @Test func idempotentRetriesRacingStoreOneMessage() async throws {
        try await Fixture.run { fixture in
            let conversation = try await fixture.startConversation()
            let ids = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<10 {
                    group.addTask {
                        try await fixture.send(conversation, from: Fixture.client, "retry", clientMessageId: "same-key")
                            .id
                    }
                }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(ids.count == 1)
            let page = try await fixture.service.messages(
                in: conversation,
                viewer: Fixture.client,
                query: .init(page: 1, limit: 50)
            )
            #expect(page.messages.filter { $0.clientMessageId == "same-key" }.count == 1)
            #expect(try await fixture.unread(conversation, for: Fixture.freelancer) == 2)
            #expect(await fixture.sink.events(named: "new_message").count == 2)
        }
    }

    @Test func markReadZeroesTheCountAndMovesThePosition() async throws {
        try await Fixture.run { fixture in
            let conversation = try await fixture.startConversation()
            _ = try await fixture.send(conversation, from: Fixture.client, "two")
            let state = try await fixture.service.markRead(conversation, reader: Fixture.freelancer)
            #expect(state.unreadCount == 0)
            let read = try await fixture.service.messages(
                in: conversation,
                viewer: Fixture.freelancer,
                query: .init(page: 1, limit: 20)
            )
            #expect(read.messages.allSatisfy { $0.isRead })
            let later = try await fixture.send(conversation, from: Fixture.client, "three")
            let after = try await fixture.service.messages(
                in: conversation,
                viewer: Fixture.freelancer,
                query: .init(page: 1, limit: 20)
            )
            #expect(after.messages.last?.id == later.id)
            #expect(after.messages.last?.isRead == false)
            #expect(try await fixture.unread(conversation, for: Fixture.freelancer) == 1)
            let receipts = await fixture.sink.events(named: "messages_read")
            #expect(receipts.first?.target.rooms == ["conversation:\(conversation)", "user:\(Fixture.client)"])
        }
    }

    @Test func someoneElsesConversationAnswersLikeAMissingOne() async throws {
        try await Fixture.run { fixture in
            let conversation = try await fixture.startConversation()
            let missing = UUID().uuidString.lowercased()
            for id in [conversation, missing, "not-a-uuid"] {
                await #expect(throws: APIError.notFound("Conversation not found")) {
                    _ = try await fixture.service.conversation(id, viewer: Fixture.stranger)
                }
                await #expect(throws: APIError.notFound("Conversation not found")) {
                    _ = try await fixture.send(id, from: Fixture.stranger)
                }
                await #expect(throws: APIError.notFound("Conversation not found")) {
                    _ = try await fixture.service.markRead(id, reader: Fixture.stranger)
                }
                await #expect(throws: APIError.notFound("Conversation not found")) {
                    _ = try await fixture.service.messages(
                        in: id,
                        viewer: Fixture.stranger,
                        query: .init(page: 1, limit: 20)
                    )
                }
            }
            await #expect(throws: APIError.self) {
                _ = try await fixture.service.create(
                    CreateMessageRequest(contractId: Fixture.contract, content: "x"),
                    from: Fixture.stranger
                )
            }
            #expect(
                try await fixture.service.conversations(viewer: Fixture.stranger, query: .init(page: 1, limit: 20))
                    .conversations.isEmpty
            )
        }
    }

    @Test func aMilestoneMustBelongToTheContract() async throws {
        try await Fixture.run { fixture in
            await #expect(throws: APIError.notFound("Contract or milestone not found")) {
                _ = try await fixture.service.create(
                    CreateMessageRequest(contractId: Fixture.contract, milestoneId: "m-other", content: "x"),
                    from: Fixture.client
                )
            }
        }
    }

    @Test func inactiveContractsAreReadOnly() async throws {
        try await Fixture.run { fixture in
            let conversation = try await fixture.startConversation()
            _ = try await fixture.service.upsertContract(
                id: Fixture.contract,
                UpsertContractRequest(clientId: Fixture.client, freelancerId: Fixture.freelancer, status: .completed)
            )
            await #expect(
                throws: APIError.forbidden("The contract is no longer active; its conversations are read-only")
            ) {
                _ = try await fixture.send(conversation, from: Fixture.client)
            }
            // Concurrent sends share batch statements, which check the contract too.
            let refused = await withTaskGroup(of: Bool.self) { group in
                for index in 0..<8 {
                    group.addTask {
                        do {
                            _ = try await fixture.send(conversation, from: Fixture.freelancer, "late \(index)")
                            return false
                        } catch let error as APIError {
                            return error.status == .forbidden
                        } catch {
                            return false
                        }
                    }
                }
                return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(refused == 8)
            let detail = try await fixture.service.conversation(conversation, viewer: Fixture.client)
            #expect(detail.isActive == false)
            // Nothing was stored but the system message that announced the change.
            let history = try await fixture.service.messages(
                in: conversation,
                viewer: Fixture.client,
                query: .init(page: 1, limit: 20)
            )
            #expect(history.messages.map(\.messageType) == [.text, .system])
        }
    }

    @Test func fileMessagesCarryTheirAttachments() async throws {
        try await Fixture.run { fixture in
            let conversation = try await fixture.startConversation()
            let file = try await fixture.service.send(
                to: conversation,
                from: Fixture.client,
                content: "",
                type: .file,
                attachments: [
                    Attachment(url: "https://files.example/a.pdf", name: "a.pdf", mimeType: "application/pdf", size: 10)
                ],
                clientMessageId: nil
            )
            .message
            #expect(file.attachments.first?.name == "a.pdf")
            #expect(file.messageType == .file)
        }
    }

    @Test func pagesAndCursorsWalkTheHistory() async throws {
        try await Fixture.run { fixture in
            let conversation = try await fixture.startConversation()
            for index in 1...24 { _ = try await fixture.send(conversation, from: Fixture.client, "m\(index)") }
            let newest = try await fixture.service.messages(
                in: conversation,
                viewer: Fixture.freelancer,
                query: .init(page: 1, limit: 10)
            )
            #expect(newest.messages.map(\.content) == (15...24).map { "m\($0)" })
            #expect(newest.hasMore)
            #expect(newest.total == 25)
            let older = try await fixture.service.messages(
                in: conversation,
                viewer: Fixture.freelancer,
                query: .init(before: newest.messages[0].id, page: 1, limit: 10)
            )
            #expect(older.messages.map(\.content) == (5...14).map { "m\($0)" })
            let oldest = try await fixture.service.messages(
                in: conversation,
                viewer: Fixture.freelancer,
                query: .init(before: older.messages[0].id, page: 1, limit: 10)
            )
            #expect(oldest.messages.map(\.content) == ["first"] + (1...4).map { "m\($0)" })
            #expect(oldest.hasMore == false)
            let caughtUp = try await fixture.service.messages(
                in: conversation,
                viewer: Fixture.freelancer,
                query: .init(after: older.messages.last!.id, page: 1, limit: 5)
            )
            #expect(caughtUp.messages.map(\.content) == (15...19).map { "m\($0)" })
            #expect(caughtUp.hasMore)
            let page3 = try await fixture.service.messages(
                in: conversation,
                viewer: Fixture.freelancer,
                query: .init(page: 3, limit: 10)
            )
            #expect(page3.messages.map(\.content) == ["first"] + (1...4).map { "m\($0)" })
            // Past the end: no messages, and still the count.
            let beyond = try await fixture.service.messages(
                in: conversation,
                viewer: Fixture.freelancer,
                query: .init(page: 4, limit: 10)
            )
            #expect(beyond.messages.isEmpty)
            #expect(beyond.total == 25)
            #expect(beyond.hasMore == false)
            let caughtUpFully = try await fixture.service.messages(
                in: conversation,
                viewer: Fixture.freelancer,
                query: .init(after: newest.messages.last!.id, page: 1, limit: 10)
            )
            #expect(caughtUpFully.messages.isEmpty)
            #expect(caughtUpFully.total == 25)
            // A stranger, and a malformed id, find nothing.
            await #expect(throws: APIError.self) {
                try await fixture.service.messages(
                    in: conversation,
                    viewer: "stranger",
                    query: .init(page: 1, limit: 20)
                )
            }
            await #expect(throws: APIError.self) {
                try await fixture.service.messages(
                    in: "not-a-uuid",
                    viewer: Fixture.client,
                    query: .init(page: 1, limit: 20)
                )
            }
        }
    }

    @Test func archivingHidesTheConversationForTheCallerOnly() async throws {
        try await Fixture.run { fixture in
            let conversation = try await fixture.startConversation()
            let archived = try await fixture.service.setArchived(
                true,
                conversationId: conversation,
                user: Fixture.freelancer
            )
            #expect(archived.isArchived)
            #expect(
                try await fixture.service.conversations(viewer: Fixture.freelancer, query: .init(page: 1, limit: 20))
                    .conversations
                    .isEmpty
            )
            let withArchived = try await fixture.service.conversations(
                viewer: Fixture.freelancer,
                query: .init(includeArchived: true, page: 1, limit: 20)
            )
            #expect(withArchived.conversations.map(\.isArchived) == [true])
            #expect(withArchived.total == 1)
            #expect(
                try await fixture.service.conversations(viewer: Fixture.freelancer, query: .init(page: 1, limit: 20))
                    .total
                    == 0
            )
            #expect(
                try await fixture.service.conversations(viewer: Fixture.client, query: .init(page: 1, limit: 20))
                    .conversations.count == 1
            )
            _ = try await fixture.send(conversation, from: Fixture.client, "are you there?")
            #expect(
                try await fixture.service.conversations(viewer: Fixture.freelancer, query: .init(page: 1, limit: 20))
                    .conversations.count
                    == 1
            )
        }
    }

    @Test func conversationsAreSortedByLatestActivity() async throws {
        try await Fixture.run { fixture in
            let main = try await fixture.startConversation()
            let milestone = try await fixture.startConversation(milestone: "m1")
            var list = try await fixture.service.conversations(viewer: Fixture.client, query: .init(page: 1, limit: 20))
            #expect(list.conversations.map(\.id) == [milestone, main])
            _ = try await fixture.send(main, from: Fixture.freelancer, "bump")
            list = try await fixture.service.conversations(viewer: Fixture.client, query: .init(page: 1, limit: 20))
            #expect(list.conversations.map(\.id) == [main, milestone])
            #expect(list.conversations.first?.lastMessage?.content == "bump")
            #expect(list.total == 2)
            let second = try await fixture.service.conversations(
                viewer: Fixture.client,
                query: .init(page: 2, limit: 1)
            )
            #expect(second.conversations.map(\.id) == [milestone])
            #expect(second.total == 2)
            #expect(second.hasMore == false)
            let beyond = try await fixture.service.conversations(
                viewer: Fixture.client,
                query: .init(page: 3, limit: 1)
            )
            #expect(beyond.conversations.isEmpty)
            #expect(beyond.total == 2)
            let ofContract = try await fixture.service.conversations(
                viewer: Fixture.client,
                query: .init(contractId: Fixture.contract, includeArchived: true, page: 1, limit: 20)
            )
            #expect(ofContract.conversations.map(\.id) == [main, milestone])
            #expect(ofContract.total == 2)
            let filtered = try await fixture.service.conversations(
                viewer: Fixture.client,
                query: .init(contractId: "other", page: 1, limit: 20)
            )
            #expect(filtered.conversations.isEmpty)
        }
    }

    @Test func typingStopsByItselfAfterTheTimeout() async throws {
        try await Fixture.run { fixture in
            let conversation = try await fixture.startConversation()
            try await fixture.service.typing(conversation, user: Fixture.client, isTyping: true)
            try await Task.sleep(for: .milliseconds(600))
            let typing = await fixture.sink.events(named: "user_typing")
            let flags = typing.map { String(decoding: $0.argument, as: UTF8.self).contains("\"isTyping\":true") }
            #expect(flags == [true, false])
            #expect(typing.first?.target.exceptRooms == ["user:\(Fixture.client)"])
        }
    }

    @Test func provisioningRejectsChangedPartiesAndUnknownUsers() async throws {
        try await Fixture.run { fixture in
            await #expect(
                throws: APIError.conflict(
                    "The contract exists with other parties; its client and freelancer cannot change"
                )
            ) {
                _ = try await fixture.service.upsertContract(
                    id: Fixture.contract,
                    UpsertContractRequest(clientId: Fixture.client, freelancerId: Fixture.stranger)
                )
            }
            await #expect(throws: APIError.self) {
                _ = try await fixture.service.upsertContract(
                    id: "k-2",
                    UpsertContractRequest(clientId: Fixture.client, freelancerId: "nobody")
                )
            }
            let again = try await fixture.service.upsertContract(
                id: Fixture.contract,
                UpsertContractRequest(
                    clientId: Fixture.client,
                    freelancerId: Fixture.freelancer,
                    milestones: [MilestoneInput(id: "m2", title: "Two")]
                )
            )
            #expect(again.milestones.map(\.id) == ["m1", "m2"])
            #expect(again.title == "T")
        }
    }
}
