import APIRuntime
import Foundation
import Generated
import PostgresNIO

extension MessageStore {
    static let conversationColumns = """
        c.id, c.contract_id, c.milestone_id, c.created_at, \(WriteState.condition),
        cu.id, cu.first_name, cu.last_name, cu.avatar,
        fu.id, fu.first_name, fu.last_name, fu.avatar,
        c.last_message_content, c.last_message_at, c.last_message_sender,
        me.unread_count, me.archived, other.last_read_message_id, other.last_read_at,
        c.kind, \(MessageStore.participantsColumn)
        """

    /// A conversation's participants with their names and roles, as a JSON array (`ConversationParticipant`).
    static let participantsColumn = """
        (SELECT json_agg(json_build_object('id', u.id, 'firstName', u.first_name, 'lastName', u.last_name,
                                           'avatar', u.avatar, 'role', p.role) ORDER BY p.role, p.user_id)::text
         FROM conversation_participants p JOIN users u ON u.id = p.user_id WHERE p.conversation_id = c.id)
        """

    static let conversationJoins = """
        FROM conversation_participants me
        JOIN conversations c ON c.id = me.conversation_id
        JOIN contracts k ON k.id = c.contract_id
        JOIN users cu ON cu.id = k.client_id
        JOIN users fu ON fu.id = k.freelancer_id
        \(MessageStore.otherReadJoin)
        """

    /// The read position of the other participants: the least advanced of them.
    static let otherReadJoin = """
        LEFT JOIN LATERAL (
            SELECT o.last_read_message_id, o.last_read_at FROM conversation_participants o
            WHERE o.conversation_id = c.id AND o.user_id <> me.user_id
            ORDER BY o.last_read_message_id NULLS FIRST LIMIT 1
        ) other ON true
        """

    /// One conversation as `viewer` sees it (unread count, archived flag), if they take part in it.
    func conversation(_ id: UUID, viewer: String) async throws -> Conversation? {
        let rows = try await client.query(
            """
            SELECT \(unescaped: Self.conversationColumns) \(unescaped: Self.conversationJoins)
            WHERE me.user_id = \(viewer) AND me.conversation_id = \(id)
            """,
            logger: logger
        )
        return try await decodeConversations(rows).first
    }

    /// The viewer's conversations, most recent activity first.
    func conversations(
        viewer: String,
        contractId: String?,
        includeArchived: Bool,
        page: Int,
        limit: Int
    ) async throws
        -> (conversations: [Conversation], total: Int)
    {
        let (offset, all) = ((page - 1) * limit, includeArchived)
        typealias Statements = ConversationStatements
        return
            switch (all, contractId)
        {
        case (false, nil):
            try await conversationPage(Statements.Page<Statements.Active>(viewer, contractId, limit, offset))
        case (true, nil):
            try await conversationPage(Statements.Page<Statements.All>(viewer, contractId, limit, offset))
        case (false, _):
            try await conversationPage(
                Statements.Page<Statements.ActiveOfContract>(viewer, contractId, limit, offset)
            )
        case (true, _):
            try await conversationPage(Statements.Page<Statements.AllOfContract>(viewer, contractId, limit, offset))
        }
    }

    /// Runs one conversation-list statement: its conversations in order, and the total on every row.
    private func conversationPage<Filter: ConversationFilter>(
        _ statement: ConversationStatements.Page<Filter>
    ) async throws -> (conversations: [Conversation], total: Int) {
        var conversations: [Conversation] = []
        var total = 0
        for try await row in try await client.execute(statement, logger: logger) {
            let columns = row.makeRandomAccess()
            total = try columns[22].decode(Int.self)
            // An empty page is one row of nulls carrying the total.
            if columns[0].bytes == nil { continue }
            conversations.append(try decodeConversation(columns))
        }
        return (conversations, total)
    }

    /// Moves the reader's position to the newest message and zeroes their unread count, in one statement; returns
    /// the time, the new position (nil in an empty conversation) and the count.
    ///
    /// The conversation row is locked (`FOR UPDATE`) so a concurrent send either commits first (and its message
    /// counts as read) or waits until after: the position and the count always agree. With webhooks on, the same
    /// statement writes the `message.read` event when the position moved.
    func markRead(
        conversation: UUID,
        reader: String
    ) async throws -> (readAt: Date, lastRead: UUID?, unreadCount: Int)? {
        let now = Date()
        let logger = logger
        return try await write { connection in
            let rows = try await connection.query(
                """
                WITH previous AS (
                    SELECT last_read_message_id FROM conversation_participants
                    WHERE conversation_id = \(conversation) AND user_id = \(reader)
                ), read AS (
                    UPDATE conversation_participants p
                    SET unread_count = 0, last_read_message_id = latest.last_message_id, last_read_at = \(now)
                    FROM (SELECT last_message_id FROM conversations WHERE id = \(conversation) FOR UPDATE) AS latest
                    WHERE p.conversation_id = \(conversation) AND p.user_id = \(reader)
                    RETURNING p.last_read_at, p.last_read_message_id, p.unread_count
                ), event AS (
                    INSERT INTO webhook_outbox (event_type, conversation_id, message_id, user_id, details)
                    SELECT 'message.read', \(conversation), read.last_read_message_id, \(reader),
                           jsonb_build_object('readAtMicros', (extract(epoch FROM read.last_read_at) * 1000000)::bigint)
                    FROM read, previous
                    WHERE (SELECT enabled FROM webhook_configuration)
                      AND read.last_read_message_id IS DISTINCT FROM previous.last_read_message_id
                )
                SELECT last_read_at, last_read_message_id, unread_count FROM read
                """,
                logger: logger
            )
            for try await (readAt, lastRead, unread) in rows.decode((Date, UUID?, Int).self) {
                return (readAt, lastRead, unread)
            }
            return nil
        }
    }

    func setArchived(_ archived: Bool, conversation: UUID, user: String) async throws {
        let logger = logger
        try await write { connection in
            _ = try await connection.query(
                """
                UPDATE conversation_participants SET archived = \(archived)
                WHERE conversation_id = \(conversation) AND user_id = \(user)
                """,
                logger: logger
            )
        }
    }

    private func decodeConversations(
        _ rows: some AsyncSequence<PostgresRow, any Error>
    ) async throws -> [Conversation] {
        var result: [Conversation] = []
        for try await row in rows { result.append(try decodeConversation(row.makeRandomAccess())) }
        return result
    }

    /// A conversation from the columns of `conversationColumns` (or the list statement's, in the same order).
    private func decodeConversation(_ columns: PostgresRandomAccessRow) throws -> Conversation {
        let lastContent = try columns[13].decode(String?.self)
        let lastAt = try columns[14].decode(Date?.self)
        // A system message has no sender row.
        let lastSender = try columns[15].decode(String?.self) ?? Self.systemSender.id
        var lastMessage: LastMessage?
        if let lastContent, let lastAt {
            lastMessage = LastMessage(content: lastContent, sentAt: lastAt, senderId: lastSender)
        }
        return Conversation(
            id: try columns[0].decode(UUID.self).lowercased,
            contractId: try columns[1].decode(String.self),
            milestoneId: try columns[2].decode(String?.self),
            kind: ConversationKind(rawValue: try columns[20].decode(String.self)) ?? .direct,
            participants: Self.participants(fromJSON: try columns[21].decode(String?.self)),
            client: UserSummary(
                id: try columns[5].decode(String.self),
                firstName: try columns[6].decode(String.self),
                lastName: try columns[7].decode(String.self),
                avatar: try columns[8].decode(String?.self)
            ),
            freelancer: UserSummary(
                id: try columns[9].decode(String.self),
                firstName: try columns[10].decode(String.self),
                lastName: try columns[11].decode(String.self),
                avatar: try columns[12].decode(String?.self)
            ),
            lastMessage: lastMessage,
            unreadCount: try columns[16].decode(Int.self),
            isActive: try columns[4].decode(Bool.self),
            isArchived: try columns[17].decode(Bool.self),
            createdAt: try columns[3].decode(Date.self),
            otherLastReadMessageId: try columns[18].decode(UUID?.self)?.lowercased,
            otherLastReadAt: try columns[19].decode(Date?.self)
        )
    }

    /// The participants of `participantsColumn`.
    static func participants(fromJSON json: String?) -> [ConversationParticipant] {
        struct Row: Decodable {
            var id: String
            var firstName: String
            var lastName: String
            var avatar: String?
            var role: String
        }
        guard let json, let rows = try? JSONDecoder().decode([Row].self, from: Data(json.utf8)) else { return [] }
        return rows.compactMap { row in
            ParticipantRole(rawValue: row.role).map {
                ConversationParticipant(
                    user: UserSummary(id: row.id, firstName: row.firstName, lastName: row.lastName, avatar: row.avatar),
                    role: $0
                )
            }
        }
    }
}
