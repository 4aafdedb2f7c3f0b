import APIRuntime
import Foundation
import Generated
import Hummingbird

/// An implementation of the generated REST protocol that answers with sample values and records what it was
/// given, so tests can see exactly what the generated routes decoded. It stands in for no store: the messaging
/// service has its own tests against PostgreSQL.
struct ProbeAPI: APIProtocol {
    typealias Context = BasicRequestContext

    static let userToken = "user-token"
    static let serviceKey = "service-key"

    func authenticateBearerAuth(_ credential: String, context: Context) async throws -> String {
        guard credential == Self.userToken else { throw APIError.unauthorized("Invalid token") }
        return "user-client-1"
    }

    func authenticateServiceKey(_ credential: String, context: Context) async throws -> String {
        guard credential == Self.serviceKey else { throw APIError.unauthorized("Invalid service key") }
        return "marketplace"
    }

    func createMessage(
        _ input: Operations.CreateMessage.Input,
        identity: String,
        context: Context
    ) async throws -> Operations.CreateMessage.Output {
        var message = Sample.message
        message.content = input.body.content
        message.clientMessageId = input.body.clientMessageId
        return .created(MessageResponse(message: "Message sent", data: message))
    }

    func listConversations(
        _ input: Operations.ListConversations.Input,
        identity: String,
        context: Context
    ) async throws -> Operations.ListConversations.Output {
        .ok(
            ConversationListResponse(
                message: "ok",
                data: ConversationList(
                    conversations: [Sample.conversation],
                    total: 1,
                    page: input.query.page,
                    limit: input.query.limit,
                    totalPages: 1,
                    hasMore: false
                )
            )
        )
    }

    func getConversation(
        _ input: Operations.GetConversation.Input,
        identity: String,
        context: Context
    ) async throws -> Operations.GetConversation.Output {
        guard input.path.id == Sample.conversationId else { throw APIError.notFound("Conversation not found") }
        return .ok(ConversationResponse(message: "ok", data: Sample.conversation))
    }

    func listMessages(
        _ input: Operations.ListMessages.Input,
        identity: String,
        context: Context
    ) async throws -> Operations.ListMessages.Output {
        .ok(
            MessageListResponse(
                message: "ok",
                data: MessageList(
                    messages: [Sample.message],
                    total: 1,
                    page: 1,
                    limit: 20,
                    hasMore: false,
                    changeCursor: 7
                )
            )
        )
    }

    func sendMessage(
        _ input: Operations.SendMessage.Input,
        identity: String,
        context: Context
    ) async throws -> Operations.SendMessage.Output {
        .created(MessageResponse(message: "Message sent", data: Sample.message))
    }

    func markConversationRead(
        _ input: Operations.MarkConversationRead.Input,
        identity: String,
        context: Context
    ) async throws -> Operations.MarkConversationRead.Output {
        .ok(
            ReadStateResponse(
                message: "ok",
                data: ReadState(
                    conversationId: input.path.id,
                    userId: identity,
                    readAt: Sample.date,
                    lastReadMessageId: nil,
                    unreadCount: 0
                )
            )
        )
    }

    func setConversationArchived(
        _ input: Operations.SetConversationArchived.Input,
        identity: String,
        context: Context
    ) async throws -> Operations.SetConversationArchived.Output {
        var conversation = Sample.conversation
        conversation.isArchived = input.body.archived
        return .ok(ConversationResponse(message: "ok", data: conversation))
    }

    func editMessage(
        _ input: Operations.EditMessage.Input,
        identity: String,
        context: Context
    ) async throws -> Operations.EditMessage.Output {
        var message = Sample.message
        (message.id, message.content, message.editedAt) = (input.path.messageId, input.body.content, Sample.date)
        return .ok(MessageResponse(message: "ok", data: message))
    }

    func deleteMessage(
        _ input: Operations.DeleteMessage.Input,
        identity: String,
        context: Context
    ) async throws -> Operations.DeleteMessage.Output {
        var message = Sample.message
        (message.content, message.attachments, message.reactions, message.deletedAt) = ("", [], [], Sample.date)
        return .ok(MessageResponse(message: "ok", data: message))
    }

    func addReaction(
        _ input: Operations.AddReaction.Input,
        identity: String,
        context: Context
    ) async throws -> Operations.AddReaction.Output {
        let reactions = [Reaction(emoji: input.path.emoji, count: 1, mine: true)]
        return .ok(
            MessageReactionsResponse(
                message: "ok",
                data: MessageReactions(
                    conversationId: input.path.id,
                    messageId: input.path.messageId,
                    reactions: reactions
                )
            )
        )
    }

    func removeReaction(
        _ input: Operations.RemoveReaction.Input,
        identity: String,
        context: Context
    ) async throws -> Operations.RemoveReaction.Output {
        .ok(
            MessageReactionsResponse(
                message: "ok",
                data: MessageReactions(conversationId: input.path.id, messageId: input.path.messageId, reactions: [])
            )
        )
    }

    func listMessageChanges(
        _ input: Operations.ListMessageChanges.Input,
        identity: String,
        context: Context
    ) async throws -> Operations.ListMessageChanges.Output {
        .ok(
            MessageChangesResponse(
                message: "ok",
                data: MessageChanges(messages: [Sample.message], cursor: (input.query.since ?? 0) + 1, hasMore: false)
            )
        )
    }

    func searchMessages(
        _ input: Operations.SearchMessages.Input,
        identity: String,
        context: Context
    ) async throws -> Operations.SearchMessages.Output {
        let hit = SearchHit(
            message: Sample.message,
            contractId: "contract-42",
            milestoneId: nil,
            snippet: "The <mark>\(input.query.q)</mark>",
            rank: 0.5
        )
        return .ok(
            SearchResultsResponse(
                message: "ok",
                data: SearchResults(results: [hit], page: input.query.page, limit: input.query.limit, hasMore: false)
            )
        )
    }

    func listMessageRevisions(
        _ input: Operations.ListMessageRevisions.Input,
        identity: String,
        context: Context
    ) async throws -> Operations.ListMessageRevisions.Output {
        let revision = MessageRevision(revision: 1, content: "first", attachments: [], writtenAt: Sample.date)
        return .ok(
            MessageRevisionsResponse(
                message: "ok",
                data: MessageRevisions(
                    conversationId: input.path.id,
                    messageId: input.path.messageId,
                    senderId: "user-client-1",
                    messageType: .text,
                    deletedAt: nil,
                    revisions: [revision]
                )
            )
        )
    }

    func listWebhookEvents(
        _ input: Operations.ListWebhookEvents.Input,
        identity: String,
        context: Context
    ) async throws -> Operations.ListWebhookEvents.Output {
        let event = Self.webhookEvent("5f0c8d2e-0c1a-4b1e-9a57-3f3c2b1a0d9e", state: input.query.state ?? .dead)
        return .ok(WebhookEventListResponse(message: "ok", data: WebhookEventList(events: [event])))
    }

    func replayWebhookEvent(
        _ input: Operations.ReplayWebhookEvent.Input,
        identity: String,
        context: Context
    ) async throws -> Operations.ReplayWebhookEvent.Output {
        .ok(WebhookDeliveryResponse(message: "ok", data: Self.webhookEvent(input.path.eventId, state: .pending)))
    }

    func openDispute(
        _ input: Operations.OpenDispute.Input,
        identity: String,
        context: Context
    ) async throws -> Operations.OpenDispute.Output {
        .ok(DisputeResponse(message: "ok", data: Self.dispute(input.path.contractId, mediator: input.body.mediatorId)))
    }

    func getDispute(
        _ input: Operations.GetDispute.Input,
        identity: String,
        context: Context
    ) async throws -> Operations.GetDispute.Output {
        .ok(DisputeResponse(message: "ok", data: Self.dispute(input.path.contractId, mediator: "user-mediator-1")))
    }

    func closeDispute(
        _ input: Operations.CloseDispute.Input,
        identity: String,
        context: Context
    ) async throws -> Operations.CloseDispute.Output {
        var dispute = Self.dispute(input.path.contractId, mediator: "user-mediator-1")
        (dispute.status, dispute.closedAt, dispute.resolution) = (.closed, Sample.date, input.body.resolution ?? nil)
        return .ok(DisputeResponse(message: "ok", data: dispute))
    }

    func exportConversation(
        _ input: Operations.ExportConversation.Input,
        identity: String,
        context: Context
    ) async throws -> Operations.ExportConversation.Output {
        let export = ConversationExport(
            conversationId: input.path.id,
            contractId: "contract-42",
            milestoneId: nil,
            kind: .direct,
            createdAt: Sample.date,
            participants: Sample.conversation.participants,
            exportedAt: Sample.date,
            messages: [],
            nextCursor: nil
        )
        return .ok(ConversationExportResponse(message: "ok", data: export))
    }

    func exportConversationText(
        _ input: Operations.ExportConversationText.Input,
        identity: String,
        context: Context
    ) async throws -> Operations.ExportConversationText.Output {
        .ok("Transcript of \(input.path.id), \(input.query.limit) per page\n")
    }

    static func dispute(_ contract: String, mediator: String) -> Dispute {
        Dispute(
            contractId: contract,
            conversationId: Sample.conversationId,
            mediatorId: mediator,
            reason: "scope",
            status: .open,
            openedAt: Sample.date,
            closedAt: nil,
            resolution: nil,
            evidenceConversationIds: []
        )
    }

    /// A sample event in `state`, as the service would list it.
    static func webhookEvent(_ id: String, state: WebhookState) -> WebhookDelivery {
        WebhookDelivery(
            eventId: id,
            type: .messageCreated,
            state: state,
            attempts: state == .pending ? 0 : 3,
            createdAt: Sample.date,
            nextAttemptAt: state == .pending ? Sample.date : nil,
            deliveredAt: nil,
            lastError: state == .dead ? "HTTP 500" : nil,
            conversationId: Sample.conversationId
        )
    }

    func upsertUser(
        _ input: Operations.UpsertUser.Input,
        identity: String,
        context: Context
    ) async throws -> Operations.UpsertUser.Output {
        let user = UserSummary(
            id: input.path.userId,
            firstName: input.body.firstName,
            lastName: input.body.lastName,
            avatar: input.body.avatar
        )
        return .ok(UserResponse(message: "ok", data: user))
    }

    func upsertContract(
        _ input: Operations.UpsertContract.Input,
        identity: String,
        context: Context
    ) async throws -> Operations.UpsertContract.Output {
        let contract = Contract(
            id: input.path.contractId,
            clientId: input.body.clientId,
            freelancerId: input.body.freelancerId,
            title: input.body.title,
            status: input.body.status ?? .active,
            milestones: (input.body.milestones ?? []).map { Milestone(id: $0.id, title: $0.title) }
        )
        return .ok(ContractResponse(message: "ok", data: contract))
    }

    func getHealth(_ input: Operations.GetHealth.Input, context: Context) async throws -> Operations.GetHealth.Output {
        .ok(HealthResponse(message: "alive", data: Health(status: .ok)))
    }

    func getReadiness(
        _ input: Operations.GetReadiness.Input,
        context: Context
    ) async throws -> Operations.GetReadiness.Output {
        throw APIError.serviceUnavailable("The database is not reachable")
    }
}
