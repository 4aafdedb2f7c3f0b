import APIRuntime
import Foundation
import Generated
import Logging
import PostgresNIO

/// The messaging use cases, shared by the REST handlers and the socket handlers so that an action has the same
/// rules and the same events whichever door it came through.
public struct MessagingService: Sendable {
    public let store: MessageStore
    let events: EventPublisher
    /// How long one database call may take before the caller gets SERVICE_UNAVAILABLE (a database that is down
    /// would otherwise keep requests waiting for a connection).
    let databaseTimeout: Duration
    public let limiters: Limiters

    public init(
        store: MessageStore,
        events: EventPublisher,
        databaseTimeout: Duration = .seconds(4),
        limits: MessagingLimits = .init()
    ) {
        self.store = store
        self.events = events
        self.databaseTimeout = databaseTimeout
        self.limiters = Limiters(limits)
    }

    // MARK: Access

    /// The conversation if the user takes part in it; otherwise NOT_FOUND, exactly as for a missing one.
    func access(_ conversationId: String, user: String) async throws -> MessageStore.Access {
        guard let id = UUID(parsing: conversationId),
            let access = try await database({ try await store.access(conversation: id, for: user) })
        else {
            throw APIError.notFound("Conversation not found")
        }
        return access
    }

    func requireWritable(_ access: MessageStore.Access) throws {
        guard access.contractActive else {
            throw APIError.forbidden("The contract is no longer active; its conversations are read-only")
        }
    }

    // MARK: Messages

    /// Sends a message in an existing conversation; a retry with the same `clientMessageId` returns the stored
    /// message and emits nothing.
    public func send(
        to conversationId: String,
        from user: String,
        content: String,
        type: String,
        attachments: [Attachment]?,
        clientMessageId: String?
    ) async throws -> Message {
        try limiters.send.check(user)
        return try await persist(
            to: conversationId,
            from: user,
            content: content,
            type: type,
            attachments: attachments,
            clientMessageId: clientMessageId
        )
    }

    private func persist(
        to conversationId: String,
        from user: String,
        content: String,
        type: String,
        attachments: [Attachment]?,
        clientMessageId: String?
    ) async throws -> Message {
        // The parties usually come from memory; the contract's status is checked by the insert itself.
        let access: MessageStore.Access
        if let id = UUID(parsing: conversationId),
            let remembered = store.rememberedAccess(conversation: id, for: user)
        {
            guard let remembered else { throw APIError.notFound("Conversation not found") }
            access = remembered
        } else {
            access = try await self.access(conversationId, user: user)
            store.remember(access)
        }
        try requireWritable(access)
        let stored = try await database {
            try await store.insert(
                MessageStore.NewMessage(
                    conversationId: access.conversationId,
                    senderId: user,
                    content: content,
                    messageType: type,
                    attachments: attachments ?? [],
                    clientMessageId: clientMessageId
                )
            )
        }
        guard let (message, created) = stored else {
            // Not stored: the contract closed since this node last looked (or the conversation vanished).
            try requireWritable(try await self.access(conversationId, user: user))
            throw MessageStore.StoreError.rowMissing
        }
        if created {
            ServiceMetrics.messagePersisted()
            await events.messageSent(message, participants: access.participants)
        }
        return message
    }

    /// Sends a message in the conversation of a contract (or milestone), creating the conversation if needed.
    public func create(_ request: CreateMessageRequest, from user: String) async throws -> Message {
        try limiters.send.check(user)
        guard
            let parties = try await database({
                try await store.contract(request.contractId, milestone: request.milestoneId, for: user)
            })
        else {
            throw APIError.notFound(
                request.milestoneId == nil ? "Contract not found" : "Contract or milestone not found"
            )
        }
        guard parties.active else {
            throw APIError.forbidden("The contract is no longer active; its conversations are read-only")
        }
        let conversationId = try await database {
            try await store.ensureConversation(
                contractId: request.contractId,
                milestoneId: request.milestoneId,
                parties: parties
            )
        }
        return try await persist(
            to: conversationId.lowercased,
            from: user,
            content: request.content,
            type: request.messageType.rawValue,
            attachments: request.attachments,
            clientMessageId: request.clientMessageId
        )
    }

    public func messages(
        in conversationId: String,
        viewer: String,
        query: Operations.ListMessages.Input.Query
    ) async throws
        -> MessageList
    {
        guard let conversation = UUID(parsing: conversationId) else {
            throw APIError.notFound("Conversation not found")
        }
        let cursor: MessageStore.Cursor
        switch (query.before.flatMap(UUID.init(uuidString:)), query.after.flatMap(UUID.init(uuidString:))) {
        case (let before?, let after?): cursor = .between(after: after, before: before)
        case (let before?, nil): cursor = .before(before)
        case (nil, let after?): cursor = .after(after)
        case (nil, nil): cursor = .newest
        }
        // The page statement also checks that the viewer takes part: a foreign conversation looks missing.
        guard
            let page = try await database({
                try await store.messages(
                    conversation: conversation,
                    viewer: viewer,
                    cursor: cursor,
                    page: query.page,
                    limit: query.limit
                )
            })
        else {
            throw APIError.notFound("Conversation not found")
        }
        return MessageList(
            messages: page.messages,
            total: page.total,
            page: query.page,
            limit: query.limit,
            hasMore: page.hasMore
        )
    }

    // MARK: Conversations

    public func conversation(_ conversationId: String, viewer: String) async throws -> Conversation {
        guard let id = UUID(parsing: conversationId),
            let conversation = try await database({ try await store.conversation(id, viewer: viewer) })
        else {
            throw APIError.notFound("Conversation not found")
        }
        return conversation
    }

    public func conversations(
        viewer: String,
        query: Operations.ListConversations.Input.Query
    ) async throws
        -> ConversationList
    {
        let (conversations, total) = try await database {
            try await store.conversations(
                viewer: viewer,
                contractId: query.contractId,
                includeArchived: query.includeArchived,
                page: query.page,
                limit: query.limit
            )
        }
        return ConversationList(
            conversations: conversations,
            total: total,
            page: query.page,
            limit: query.limit,
            totalPages: (total + query.limit - 1) / query.limit,
            hasMore: query.page * query.limit < total
        )
    }

    public func markRead(_ conversationId: String, reader: String) async throws -> ReadState {
        let access = try await access(conversationId, user: reader)
        guard
            let (readAt, lastRead, unread) = try await database({
                try await store.markRead(conversation: access.conversationId, reader: reader)
            })
        else {
            throw APIError.notFound("Conversation not found")
        }
        let state = ReadState(
            conversationId: access.conversationId.lowercased,
            userId: reader,
            readAt: readAt,
            lastReadMessageId: lastRead?.lowercased,
            unreadCount: unread
        )
        await events.messagesRead(state, participants: access.participants)
        return state
    }

    public func setArchived(_ archived: Bool, conversationId: String, user: String) async throws -> Conversation {
        let access = try await access(conversationId, user: user)
        try await database { try await store.setArchived(archived, conversation: access.conversationId, user: user) }
        return try await conversation(conversationId, viewer: user)
    }

    public func typing(_ conversationId: String, user: String, isTyping: Bool) async throws {
        let access = try await access(conversationId, user: user)
        await events.typing(conversation: access.conversationId.lowercased, user: user, isTyping: isTyping)
    }

    // MARK: Provisioning

    public func upsertUser(id: String, _ request: UpsertUserRequest) async throws -> UserSummary {
        try await database { try await store.upsertUser(id: id, request) }
    }

    public func upsertContract(id: String, _ request: UpsertContractRequest) async throws -> Contract {
        guard request.clientId != request.freelancerId else {
            throw APIError.conflict("A contract's client and freelancer must be different users")
        }
        switch try await database({ try await store.upsertContract(id: id, request) }) {
        case .stored(let contract, let notices):
            for notice in notices {
                ServiceMetrics.messagePersisted()
                await events.messageSent(notice.message, participants: notice.participants)
            }
            return contract
        case .unknownUsers(let users):
            throw APIError.notFound("Unknown user(s): \(users.joined(separator: ", ")); provision them first")
        case .partiesChanged:
            throw APIError.conflict("The contract exists with other parties; its client and freelancer cannot change")
        }
    }

    /// Whether the database answers within the timeout and carries the latest schema.
    public func isReady() async -> Bool {
        let store = store
        let version = try? await database {
            try await Migrations.currentVersion(on: store.client, logger: store.logger)
        }
        return version == Migrations.latestVersion
    }

    // MARK: Database errors

    /// Runs a database call with a time limit; an unreachable database becomes SERVICE_UNAVAILABLE, other failures
    /// are logged without SQL and become INTERNAL_ERROR. Each call is timed for the metrics.
    func database<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws -> T {
        let started = ContinuousClock.now
        ServiceMetrics.databaseCallsInFlight.increment()
        defer { ServiceMetrics.databaseCallsInFlight.decrement() }
        do {
            let result = try await DatabaseDeadline.run(within: databaseTimeout, work)
            ServiceMetrics.databaseCall(outcome: "ok", after: .now - started)
            return result
        } catch {
            let (outcome, apiError) = classifyDatabaseError(error)
            ServiceMetrics.databaseCall(outcome: outcome, after: .now - started)
            throw apiError
        }
    }

    /// The metrics outcome and the client-facing error of a failed database call.
    private func classifyDatabaseError(_ error: any Error) -> (outcome: String, error: APIError) {
        switch error {
        case let error as APIError:
            // A rule of the service decided inside the call; the database itself answered.
            return ("ok", error)
        case is DatabaseDeadline.Expired:
            Logger.current.warning("Database call timed out", metadata: ["timeout": "\(databaseTimeout)"])
            return ("timeout", .serviceUnavailable())
        case let error as PostgresTransactionError:
            if let inner = error.closureError ?? error.beginError ?? error.commitError ?? error.rollbackError {
                return classifyDatabaseError(inner)
            }
            return ("error", APIError(.internalError, "Internal server error"))
        case let error as PSQLError:
            switch error.code {
            case .connectionError, .serverClosedConnection, .poolClosed, .clientClosedConnection, .queryCancelled:
                Logger.current.warning("Database unavailable", metadata: ["code": "\(error.code)"])
                return ("unavailable", .serviceUnavailable())
            default:
                Logger.current.error(
                    "Database error",
                    metadata: ["code": "\(error.code)", "sqlState": "\(error.serverInfo?[.sqlState] ?? "-")"]
                )
                return ("error", APIError(.internalError, "Internal server error"))
            }
        default:
            Logger.current.warning(
                "Database unavailable",
                metadata: ["error": "\(String(reflecting: type(of: error)))"]
            )
            return ("unavailable", .serviceUnavailable())
        }
    }
}
