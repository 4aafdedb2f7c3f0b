import APIRuntime
import Generated
import Hummingbird
import PostgresNIO

/// The REST operations of api-spec/openapi.yaml over `MessagingService`.
public struct MessagingAPI<Context: RequestContext>: APIProtocol {
    public let service: MessagingService
    let tokens: any TokenVerifying
    /// The shared key of the provisioning endpoints; nil turns them off.
    let serviceKey: String?
    let readiness: @Sendable () async -> Bool

    public init(
        service: MessagingService,
        tokens: any TokenVerifying,
        serviceKey: String?,
        readiness: @escaping @Sendable () async -> Bool
    ) {
        self.service = service
        self.tokens = tokens
        self.serviceKey = serviceKey
        self.readiness = readiness
    }

    /// Verifies the token, then takes one token of the caller's REST budget (429 with `Retry-After` when empty).
    public func authenticateBearerAuth(_ credential: String, context: Context) async throws -> String {
        let userId = try await tokens.userId(fromToken: credential)
        try service.limiters.rest.check(userId)
        return userId
    }

    public func authenticateServiceKey(_ credential: String, context: Context) async throws -> String {
        guard let serviceKey else { throw APIError.notFound("Provisioning is disabled (no SERVICE_API_KEY)") }
        guard Credentials.constantTimeEquals(credential, serviceKey) else {
            throw APIError.unauthorized("Invalid service key")
        }
        return "marketplace"
    }

    public func createMessage(
        _ input: Operations.CreateMessage.Input,
        identity: String,
        context: Context
    ) async throws
        -> Operations.CreateMessage.Output
    {
        let written = try await service.create(input.body, from: identity)
        return .created(
            MessageResponse(
                message: "Message created successfully",
                data: written.message,
                contactDetailsHidden: written.contactDetailsHidden
            )
        )
    }

    public func listConversations(
        _ input: Operations.ListConversations.Input,
        identity: String,
        context: Context
    )
        async throws -> Operations.ListConversations.Output
    {
        .ok(
            ConversationListResponse(
                message: "Conversations retrieved successfully",
                data: try await service.conversations(
                    viewer: identity,
                    query: ConversationQuery(
                        contractId: input.query.contractId,
                        includeArchived: input.query.includeArchived,
                        page: input.query.page,
                        limit: input.query.limit
                    )
                )
            )
        )
    }

    public func getConversation(
        _ input: Operations.GetConversation.Input,
        identity: String,
        context: Context
    ) async throws
        -> Operations.GetConversation.Output
    {
        .ok(
            ConversationResponse(
                message: "Conversation retrieved successfully",
                data: try await service.conversation(input.path.id, viewer: identity)
            )
        )
    }

    public func listMessages(
        _ input: Operations.ListMessages.Input,
        identity: String,
        context: Context
    ) async throws
        -> Operations.ListMessages.Output
    {
        .ok(
            MessageListResponse(
                message: "Messages retrieved successfully",
                data: try await service.messages(
                    in: input.path.id,
                    viewer: identity,
                    query: HistoryQuery(
                        before: input.query.before,
                        after: input.query.after,
                        page: input.query.page,
                        limit: input.query.limit
                    )
                )
            )
        )
    }

    public func sendMessage(
        _ input: Operations.SendMessage.Input,
        identity: String,
        context: Context
    ) async throws
        -> Operations.SendMessage.Output
    {
        let written = try await service.send(
            to: input.path.id,
            from: identity,
            content: input.body.content,
            type: try MessagingService.storedType(input.body.messageType),
            attachments: input.body.attachments,
            clientMessageId: input.body.clientMessageId
        )
        return .created(
            MessageResponse(
                message: "Message sent successfully",
                data: written.message,
                contactDetailsHidden: written.contactDetailsHidden
            )
        )
    }

    public func markConversationRead(
        _ input: Operations.MarkConversationRead.Input,
        identity: String,
        context: Context
    )
        async throws -> Operations.MarkConversationRead.Output
    {
        .ok(
            ReadStateResponse(
                message: "Messages marked as read successfully",
                data: try await service.markRead(input.path.id, reader: identity)
            )
        )
    }

    public func setConversationArchived(
        _ input: Operations.SetConversationArchived.Input,
        identity: String,
        context: Context
    ) async throws -> Operations.SetConversationArchived.Output {
        let conversation = try await service.setArchived(
            input.body.archived,
            conversationId: input.path.id,
            user: identity
        )
        return .ok(
            ConversationResponse(
                message: input.body.archived
                    ? "Conversation archived successfully" : "Conversation unarchived successfully",
                data: conversation
            )
        )
    }

    public func editMessage(
        _ input: Operations.EditMessage.Input,
        identity: String,
        context: Context
    ) async throws -> Operations.EditMessage.Output {
        let written = try await service.edit(
            input.path.messageId,
            in: input.path.id,
            by: identity,
            content: input.body.content
        )
        return .ok(
            MessageResponse(
                message: "Message edited successfully",
                data: written.message,
                contactDetailsHidden: written.contactDetailsHidden
            )
        )
    }

    public func deleteMessage(
        _ input: Operations.DeleteMessage.Input,
        identity: String,
        context: Context
    ) async throws -> Operations.DeleteMessage.Output {
        let tombstone = try await service.delete(input.path.messageId, in: input.path.id, by: identity)
        return .ok(MessageResponse(message: "Message deleted successfully", data: tombstone))
    }

    public func addReaction(
        _ input: Operations.AddReaction.Input,
        identity: String,
        context: Context
    ) async throws -> Operations.AddReaction.Output {
        let reactions = try await service.react(
            input.path.messageId,
            in: input.path.id,
            by: identity,
            emoji: input.path.emoji,
            on: true
        )
        return .ok(MessageReactionsResponse(message: "Reaction added successfully", data: reactions))
    }

    public func removeReaction(
        _ input: Operations.RemoveReaction.Input,
        identity: String,
        context: Context
    ) async throws -> Operations.RemoveReaction.Output {
        let reactions = try await service.react(
            input.path.messageId,
            in: input.path.id,
            by: identity,
            emoji: input.path.emoji,
            on: false
        )
        return .ok(MessageReactionsResponse(message: "Reaction removed successfully", data: reactions))
    }

    public func listMessageChanges(
        _ input: Operations.ListMessageChanges.Input,
        identity: String,
        context: Context
    ) async throws -> Operations.ListMessageChanges.Output {
        let changes = try await service.changes(
            in: input.path.id,
            viewer: identity,
            since: input.query.since,
            limit: input.query.limit
        )
        return .ok(MessageChangesResponse(message: "Changes retrieved successfully", data: changes))
    }

    public func searchMessages(
        _ input: Operations.SearchMessages.Input,
        identity: String,
        context: Context
    ) async throws -> Operations.SearchMessages.Output {
        let results = try await service.search(
            MessageSearch(
                text: input.query.q,
                contractId: input.query.contractId,
                conversationId: input.query.conversationId,
                before: input.query.before,
                page: input.query.page,
                limit: input.query.limit
            ),
            viewer: identity
        )
        return .ok(SearchResultsResponse(message: "Search completed successfully", data: results))
    }

    public func listMessageRevisions(
        _ input: Operations.ListMessageRevisions.Input,
        identity: String,
        context: Context
    ) async throws -> Operations.ListMessageRevisions.Output {
        let revisions = try await service.revisions(of: input.path.messageId, in: input.path.id)
        return .ok(MessageRevisionsResponse(message: "Revisions retrieved successfully", data: revisions))
    }

    public func listWebhookEvents(
        _ input: Operations.ListWebhookEvents.Input,
        identity: String,
        context: Context
    ) async throws -> Operations.ListWebhookEvents.Output {
        let events = try await service.webhookEvents(state: input.query.state ?? .dead, limit: input.query.limit)
        return .ok(
            WebhookEventListResponse(message: "Webhook events retrieved", data: WebhookEventList(events: events))
        )
    }

    public func replayWebhookEvent(
        _ input: Operations.ReplayWebhookEvent.Input,
        identity: String,
        context: Context
    ) async throws -> Operations.ReplayWebhookEvent.Output {
        let event = try await service.replayWebhookEvent(input.path.eventId)
        return .ok(WebhookDeliveryResponse(message: "Webhook event queued for delivery", data: event))
    }

    public func upsertUser(
        _ input: Operations.UpsertUser.Input,
        identity: String,
        context: Context
    ) async throws
        -> Operations.UpsertUser.Output
    {
        .ok(
            UserResponse(
                message: "User saved successfully",
                data: try await service.upsertUser(id: input.path.userId, input.body)
            )
        )
    }

    public func upsertContract(
        _ input: Operations.UpsertContract.Input,
        identity: String,
        context: Context
    ) async throws
        -> Operations.UpsertContract.Output
    {
        .ok(
            ContractResponse(
                message: "Contract saved successfully",
                data: try await service.upsertContract(id: input.path.contractId, input.body)
            )
        )
    }

    public func getHealth(
        _ input: Operations.GetHealth.Input,
        context: Context
    ) async throws -> Operations.GetHealth.Output {
        .ok(HealthResponse(message: "Server is alive", data: Health(status: .ok)))
    }

    public func getReadiness(
        _ input: Operations.GetReadiness.Input,
        context: Context
    ) async throws
        -> Operations.GetReadiness.Output
    {
        guard await readiness() else {
            throw APIError.serviceUnavailable("The database is not reachable or not migrated")
        }
        return .ok(HealthResponse(message: "Server is ready", data: Health(status: .ready)))
    }
}
