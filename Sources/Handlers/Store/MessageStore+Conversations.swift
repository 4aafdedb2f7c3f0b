import Foundation
import Generated
import PostgresNIO

extension MessageStore {
    static let conversationColumns = """
        c.id, c.contract_id, c.milestone_id, c.created_at, k.status = 'active',
        cu.id, cu.first_name, cu.last_name, cu.avatar,
        fu.id, fu.first_name, fu.last_name, fu.avatar,
        c.last_message_content, c.last_message_at, c.last_message_sender,
        me.unread_count, me.archived
        """

    static let conversationJoins = """
        FROM conversation_participants me
        JOIN conversations c ON c.id = me.conversation_id
        JOIN contracts k ON k.id = c.contract_id
        JOIN users cu ON cu.id = k.client_id
        JOIN users fu ON fu.id = k.freelancer_id
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
        // Not prepared: with `includeArchived` and `contractId` as parameters a generic plan cannot use the
        // participants index for the common case; planned with the values, it does.
        let rows = try await client.query(
            """
            SELECT \(unescaped: Self.conversationColumns) \(unescaped: Self.conversationJoins)
            WHERE me.user_id = \(viewer) AND (\(includeArchived) OR NOT me.archived)
              AND (\(contractId)::text IS NULL OR c.contract_id = \(contractId))
            ORDER BY me.last_activity_at DESC, c.id DESC
            LIMIT \(limit) OFFSET \((page - 1) * limit)
            """,
            logger: logger
        )
        let conversations = try await decodeConversations(rows)
        let countRows = try await client.query(
            """
            SELECT count(*) FROM conversation_participants me JOIN conversations c ON c.id = me.conversation_id
            WHERE me.user_id = \(viewer) AND (\(includeArchived) OR NOT me.archived)
              AND (\(contractId)::text IS NULL OR c.contract_id = \(contractId))
            """,
            logger: logger
        )
        var total = 0
        for try await count in countRows.decode(Int.self) { total = count }
        return (conversations, total)
    }

    /// Moves the reader's position to the newest message and zeroes their unread count, in one statement.
    ///
    /// The conversation row is locked (`FOR UPDATE`) so a concurrent send either commits first (and its message
    /// counts as read) or waits until after: the position and the count always agree.
    func markRead(conversation: UUID, reader: String) async throws -> (readAt: Date, unreadCount: Int)? {
        let now = Date()
        let rows = try await client.query(
            """
            UPDATE conversation_participants p
            SET unread_count = 0, last_read_message_id = latest.last_message_id, last_read_at = \(now)
            FROM (SELECT last_message_id FROM conversations WHERE id = \(conversation) FOR UPDATE) AS latest
            WHERE p.conversation_id = \(conversation) AND p.user_id = \(reader)
            RETURNING p.last_read_at, p.unread_count
            """,
            logger: logger
        )
        for try await (readAt, unread) in rows.decode((Date, Int).self) { return (readAt, unread) }
        return nil
    }

    func setArchived(_ archived: Bool, conversation: UUID, user: String) async throws {
        _ = try await client.query(
            """
            UPDATE conversation_participants SET archived = \(archived)
            WHERE conversation_id = \(conversation) AND user_id = \(user)
            """,
            logger: logger
        )
    }

    private func decodeConversations(
        _ rows: some AsyncSequence<PostgresRow, any Error>
    ) async throws -> [Conversation] {
        var result: [Conversation] = []
        for try await row in rows {
            let (id, contractId, milestoneId, createdAt, active, clientId, clientFirst, clientLast, clientAvatar) =
                try row.decode((UUID, String, String?, Date, Bool, String, String, String, String?).self)
            let columns = row.makeRandomAccess()
            let freelancer = UserSummary(
                id: try columns[9].decode(String.self),
                firstName: try columns[10].decode(String.self),
                lastName: try columns[11].decode(String.self),
                avatar: try columns[12].decode(String?.self)
            )
            let lastContent = try columns[13].decode(String?.self)
            let lastAt = try columns[14].decode(Date?.self)
            let lastSender = try columns[15].decode(String?.self)
            var lastMessage: LastMessage?
            if let lastContent, let lastAt, let lastSender {
                lastMessage = LastMessage(content: lastContent, sentAt: lastAt, senderId: lastSender)
            }
            result.append(
                Conversation(
                    id: id.lowercased,
                    contractId: contractId,
                    milestoneId: milestoneId,
                    client: UserSummary(
                        id: clientId,
                        firstName: clientFirst,
                        lastName: clientLast,
                        avatar: clientAvatar
                    ),
                    freelancer: freelancer,
                    lastMessage: lastMessage,
                    unreadCount: try columns[16].decode(Int.self),
                    isActive: active,
                    isArchived: try columns[17].decode(Bool.self),
                    createdAt: createdAt
                )
            )
        }
        return result
    }
}
