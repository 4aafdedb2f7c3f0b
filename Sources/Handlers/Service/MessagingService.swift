import APIRuntime
import Foundation
import Generated
import Logging
import PostgresNIO
import _ConnectionPoolModule

/// The messaging use cases, shared by the REST handlers and the socket handlers so that an action has the same
/// rules and the same events whichever door it came through.
public struct MessagingService: Sendable {
    public let store: MessageStore
    let events: EventPublisher
    /// How long one database call may take before the caller gets SERVICE_UNAVAILABLE (a database that is down
    /// would otherwise keep requests waiting for a connection).
    let databaseTimeout: Duration
    /// How long past `databaseTimeout` a call may still end by itself (a write that holds its connection waits for
    /// PostgreSQL's answer, which `statement_timeout` bounds) before its caller is answered without it.
    let abandonGrace: Duration
    /// Refuses calls at once while the database is unreachable.
    let availability = DatabaseAvailability()
    public let limiters: Limiters
    /// A span per database call and per socket event, when tracing is on.
    public let spans: Spans
    /// How long after its sending a text message may be edited (`EDIT_WINDOW_S`).
    let editWindow: Duration
    /// Masks or refuses contact details in what users write (`CONTACT_FILTER`).
    let contactFilter: ContactFilter
    /// Who is online on any node; nil leaves presence out of conversations.
    let presence: PresenceTracker?

    /// A message as stored by a send or an edit, and the kinds of contact detail the filter hid in it (nil when
    /// none), which the sender's ack or response reports.
    public struct Written: Sendable {
        public var message: Message
        public var contactDetailsHidden: [ContactDetailKind]?
    }

    /// - Parameters:
    ///   - store: the PostgreSQL store every use case reads and writes through.
    ///   - events: where the live events of a change go (the socket namespace's rooms).
    ///   - databaseTimeout: how long a caller waits for a database call before SERVICE_UNAVAILABLE. A write that
    ///     has its connection is not abandoned at that point: its caller gets the write's outcome.
    ///   - statementTimeout: the database's `statement_timeout`; a call that has not ended a second after
    ///     `databaseTimeout` plus this is answered SERVICE_UNAVAILABLE without it.
    ///   - limits: the per-user rate budgets and the per-user connection ceiling.
    ///   - spans: whether database calls and socket events are traced.
    ///   - editWindow: how long after its sending a text message may be edited.
    ///   - contactFilter: what happens to contact details in message text.
    ///   - presence: who is online, for a conversation's `otherParticipantPresence`.
    public init(
        store: MessageStore,
        events: EventPublisher,
        databaseTimeout: Duration = .seconds(4),
        statementTimeout: Duration = .seconds(5),
        limits: MessagingLimits = .init(),
        spans: Spans = Spans(enabled: false),
        editWindow: Duration = .seconds(900),
        contactFilter: ContactFilter = ContactFilter(),
        presence: PresenceTracker? = nil
    ) {
        self.store = store
        self.events = events
        self.databaseTimeout = databaseTimeout
        self.abandonGrace = statementTimeout + .seconds(1)
        self.limiters = Limiters(limits)
        self.spans = spans
        self.editWindow = editWindow
        self.contactFilter = contactFilter
        self.presence = presence
    }

    // MARK: Access

    /// The conversation if the user takes part in it; otherwise NOT_FOUND, exactly as for a missing one, except for
    /// the mediator of the contract's open dispute, who reads it but may not act in it (FORBIDDEN).
    func access(_ conversationId: String, user: String) async throws -> MessageStore.Access {
        guard let id = UUID(parsing: conversationId) else { throw APIError.notFound("Conversation not found") }
        guard let access = try await database({ try await store.access(conversation: id, for: user) }) else {
            try await refuseNonParticipant(id, user: user)
        }
        return access
    }

    /// NOT_FOUND for someone who does not take part in a conversation, FORBIDDEN for the mediator who reads it.
    func refuseNonParticipant(_ id: UUID, user: String) async throws -> Never {
        if try await database({ try await store.mediatedAccess(conversation: id, for: user) }) != nil {
            throw APIError.forbidden("A mediator reads the contract's other conversations but does not act in them")
        }
        throw APIError.notFound("Conversation not found")
    }

    /// The conversation if the user may read it: a participant, or the mediator of an open dispute of its contract
    /// (whose access is read-only). NOT_FOUND for anyone else.
    func readAccess(_ conversationId: String, user: String) async throws -> MessageStore.Access {
        guard let id = UUID(parsing: conversationId) else { throw APIError.notFound("Conversation not found") }
        if let access = try await database({ try await store.access(conversation: id, for: user) }) { return access }
        if let access = try await database({ try await store.mediatedAccess(conversation: id, for: user) }) {
            return access
        }
        throw APIError.notFound("Conversation not found")
    }

    func requireWritable(_ access: MessageStore.Access) throws {
        try access.write.require()
    }

    // MARK: Messages

    /// Sends a message in an existing conversation; a retry with the same `clientMessageId` returns the stored
    /// message and emits nothing.
    public func send(
        to conversationId: String,
        from user: String,
        content: String,
        type: MessageType,
        attachments: [Attachment]?,
        clientMessageId: String?
    ) async throws -> Written {
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
        type: MessageType,
        attachments: [Attachment]?,
        clientMessageId: String?
    ) async throws -> Written {
        // The parties usually come from memory; the contract's status is checked by the insert itself.
        let access: MessageStore.Access
        if let id = UUID(parsing: conversationId),
            let remembered = store.rememberedAccess(conversation: id, for: user)
        {
            guard let remembered else { try await refuseNonParticipant(id, user: user) }
            access = remembered
        } else {
            access = try await self.access(conversationId, user: user)
            store.remember(access)
        }
        try requireWritable(access)
        // Only an active contract's conversations take messages; the insert checks that status again.
        let screened = try contactFilter.screen(content, contractStatus: .active)
        let stored = try await database {
            try await store.insert(
                MessageStore.NewMessage(
                    conversationId: access.conversationId,
                    senderId: user,
                    content: screened.content,
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
        return Written(message: message, contactDetailsHidden: screened.hidden.isEmpty ? nil : screened.hidden)
    }

    /// Sends a message in the conversation of a contract (or milestone), creating the conversation if needed.
    public func create(_ request: CreateMessageRequest, from user: String) async throws -> Written {
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
            type: try MessagingService.storedType(request.messageType),
            attachments: request.attachments,
            clientMessageId: request.clientMessageId
        )
    }

    public func messages(
        in conversationId: String,
        viewer: String,
        query: HistoryQuery
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
        // The page statement also checks that the viewer may read it: a foreign conversation looks missing.
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
            hasMore: page.hasMore,
            changeCursor: Int(page.changeCursor)
        )
    }

    // MARK: Conversations

    /// One conversation as the viewer sees it, with the other participant's presence when it is tracked.
    public func conversation(_ conversationId: String, viewer: String) async throws -> Conversation {
        guard let id = UUID(parsing: conversationId),
            var conversation = try await database({ try await store.conversation(id, viewer: viewer) })
        else {
            throw APIError.notFound("Conversation not found")
        }
        if let presence {
            let other = conversation.client.id == viewer ? conversation.freelancer.id : conversation.client.id
            conversation.otherParticipantPresence = try await database { try await presence.presence(of: other) }
        }
        return conversation
    }

    public func conversations(
        viewer: String,
        query: ConversationQuery
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

    /// The stored type of a request's message type. Each request schema declares, as an enumeration of its own, the
    /// subset of types a user may send; one the store did not know would be refused rather than stored as another.
    public static func storedType<Requested: RawRepresentable>(_ requested: Requested) throws -> MessageType
    where Requested.RawValue == String {
        guard let type = MessageType(rawValue: requested.rawValue) else {
            throw APIError.validationFailed([FieldProblem(field: "messageType", message: "is not a known message type")]
            )
        }
        return type
    }

    // MARK: Database errors

    /// Runs a database call with a time limit; while the database is known to be unreachable the call is refused
    /// at once. An unreachable or overloaded database becomes SERVICE_UNAVAILABLE; other failures are logged without
    /// SQL and become INTERNAL_ERROR. Each call is timed for the metrics, and traced as `db <use case>` (the
    /// calling function's name) when tracing is on.
    func database<T: Sendable>(
        function: String = #function,
        _ work: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        guard spans.enabled else { return try await untracedDatabase(work) }
        let operation = function.prefix { $0 != "(" }
        return try await spans.run(
            "db \(operation)",
            kind: .client,
            attributes: { attributes in
                attributes["db.system.name"] = "postgresql"
                attributes["db.operation.name"] = String(operation)
            }
        ) { _ in
            try await untracedDatabase(work)
        }
    }

    private func untracedDatabase<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws -> T {
        let started = ContinuousClock.now
        ServiceMetrics.databaseCallsInFlight.increment()
        defer { ServiceMetrics.databaseCallsInFlight.decrement() }
        do {
            try availability.admit()
            let result = try await DatabaseDeadline.run(within: databaseTimeout, grace: abandonGrace, work)
            ServiceMetrics.databaseCall(outcome: "ok", after: .now - started)
            return result
        } catch {
            let failure = classifyDatabaseError(error)
            if failure.unreachable {
                let client = store.client
                let logger = store.logger
                availability.markDown {
                    let answer = try? await DatabaseDeadline.run(within: .seconds(1)) {
                        try await client.query("SELECT 1", logger: logger).collect()
                    }
                    return answer != nil
                }
            }
            ServiceMetrics.databaseCall(outcome: failure.outcome, after: .now - started)
            throw failure.error
        }
    }

    private struct DatabaseFailure {
        /// The metrics label: ok (a rule of the service), down, timeout, unavailable, cancelled, error.
        var outcome: String
        var error: APIError
        /// The database could not be reached: calls are refused until a probe reaches it.
        var unreachable = false
    }

    /// SQLSTATEs that mean "try again later": the server is shutting down or starting (57P01–57P03), has no
    /// connection slot left (53300), cancelled a statement that ran past `statement_timeout` (57014), or chose
    /// this transaction as a serialization or deadlock victim (40001, 40P01).
    private static let unreachableStates: Set<String> = ["57P01", "57P02", "57P03", "53300"]
    private static let retryableStates: Set<String> = ["57014", "40001", "40P01"]

    /// The metrics outcome and the client-facing error of a failed database call.
    private func classifyDatabaseError(_ error: any Error) -> DatabaseFailure {
        switch error {
        case let error as APIError:
            // A rule of the service decided inside the call; the database itself answered.
            return DatabaseFailure(outcome: "ok", error: error)
        case is DatabaseAvailability.Unavailable:
            return DatabaseFailure(outcome: "down", error: .serviceUnavailable())
        case is DatabaseDeadline.Expired:
            Logger.current.warning("Database call timed out", metadata: ["timeout": "\(databaseTimeout)"])
            return DatabaseFailure(outcome: "timeout", error: .serviceUnavailable(), unreachable: true)
        case is CancellationError:
            return DatabaseFailure(outcome: "cancelled", error: .serviceUnavailable())
        case let error as PostgresTransactionError:
            if let inner = error.closureError ?? error.beginError ?? error.commitError ?? error.rollbackError {
                return classifyDatabaseError(inner)
            }
            return DatabaseFailure(outcome: "error", error: APIError(.internalError, "Internal server error"))
        case let error as PSQLError:
            return classifyPostgresError(error)
        case is ConnectionPoolError:
            Logger.current.warning("Database unavailable", metadata: ["error": "\(error)"])
            return DatabaseFailure(outcome: "unavailable", error: .serviceUnavailable(), unreachable: true)
        default:
            Logger.current.error(
                "Database call failed",
                metadata: ["error": "\(String(reflecting: type(of: error)))"]
            )
            return DatabaseFailure(outcome: "error", error: APIError(.internalError, "Internal server error"))
        }
    }

    private func classifyPostgresError(_ error: PSQLError) -> DatabaseFailure {
        let state = error.serverInfo?[.sqlState]
        switch error.code {
        case .connectionError, .serverClosedConnection, .poolClosed, .clientClosedConnection:
            Logger.current.warning("Database unavailable", metadata: ["code": "\(error.code)"])
            return DatabaseFailure(outcome: "unavailable", error: .serviceUnavailable(), unreachable: true)
        case .queryCancelled:
            return DatabaseFailure(outcome: "cancelled", error: .serviceUnavailable())
        case _ where state.map(Self.unreachableStates.contains) == true:
            Logger.current.warning("Database unavailable", metadata: ["sqlState": "\(state ?? "-")"])
            return DatabaseFailure(outcome: "unavailable", error: .serviceUnavailable(), unreachable: true)
        case _ where state.map(Self.retryableStates.contains) == true:
            Logger.current.warning("Database statement not completed", metadata: ["sqlState": "\(state ?? "-")"])
            return DatabaseFailure(outcome: "timeout", error: .serviceUnavailable())
        default:
            Logger.current.error(
                "Database error",
                metadata: ["code": "\(error.code)", "sqlState": "\(state ?? "-")"]
            )
            return DatabaseFailure(outcome: "error", error: APIError(.internalError, "Internal server error"))
        }
    }
}
