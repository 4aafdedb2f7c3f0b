import Foundation
import Generated
import PostgresNIO

extension MessageStore {
    /// The columns of a message row after the three leading ones (count, viewer's and others' read positions), for
    /// `messages m LEFT JOIN users u`; see `message(in:conversation:viewer:)` for their order.
    static let messageColumns = """
        m.id, m.sender_id, u.first_name, u.last_name, u.avatar, m.content, m.message_type, m.attachments::text,
        m.sent_at, m.client_message_id, m.edited_at, m.deleted_at, \(reactionsColumn)
        """

    /// One message as `viewer` sees it.
    static func singleMessageQuery(_ id: UUID, conversation: UUID, viewer: String) -> PostgresQuery {
        """
        SELECT 0, p.last_read_message_id, o.last_read_message_id, \(unescaped: messageColumns)
        FROM messages m LEFT JOIN users u ON u.id = m.sender_id
        LEFT JOIN conversation_participants p ON p.conversation_id = m.conversation_id AND p.user_id = \(viewer)
        LEFT JOIN LATERAL (
            SELECT o.last_read_message_id FROM conversation_participants o
            WHERE o.conversation_id = m.conversation_id AND o.user_id <> \(viewer)
            ORDER BY o.last_read_message_id NULLS FIRST LIMIT 1
        ) o ON true
        WHERE m.conversation_id = \(conversation) AND m.id = \(id)
        """
    }

    /// The conversation's messages whose latest change (sending, edit, delete, reaction) comes after `since`, in
    /// the order of those changes, as `viewer` sees them; at most `limit`, and whether more follow. The cursor of
    /// the answer is the last change's, or `since` when there is none.
    func changes(
        conversation: UUID,
        viewer: String,
        since: Int64,
        limit: Int
    ) async throws -> (messages: [Message], cursor: Int64, hasMore: Bool) {
        let rows = try await client.query(
            """
            SELECT 0, p.last_read_message_id, o.last_read_message_id, \(unescaped: Self.messageColumns), m.change_seq
            FROM messages m LEFT JOIN users u ON u.id = m.sender_id
            LEFT JOIN conversation_participants p ON p.conversation_id = m.conversation_id AND p.user_id = \(viewer)
            LEFT JOIN LATERAL (
                SELECT o.last_read_message_id FROM conversation_participants o
                WHERE o.conversation_id = m.conversation_id AND o.user_id <> \(viewer)
                ORDER BY o.last_read_message_id NULLS FIRST LIMIT 1
            ) o ON true
            WHERE m.conversation_id = \(conversation) AND m.change_seq > \(since)
            ORDER BY m.change_seq
            LIMIT \(limit + 1)
            """,
            logger: logger
        )
        var messages: [Message] = []
        var cursor = since
        var hasMore = false
        for try await row in rows {
            // The statement reads one more than the page holds, to tell whether more follow.
            guard messages.count < limit else {
                hasMore = true
                continue
            }
            let columns = row.makeRandomAccess()
            messages.append(try message(in: columns, conversation: conversation, viewer: viewer).message)
            cursor = try columns[16].decode(Int64.self)
        }
        return (messages, cursor, hasMore)
    }
}
