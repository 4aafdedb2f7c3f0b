import Foundation
import PostgresNIO

/// The statements every send runs, prepared once per pooled connection (postgres-nio prepares a statement on a
/// connection the first time it runs there): parsing and planning them anew on each call costs about as much as
/// running them.
enum PreparedStatements {
    /// The conversation seen from one user: contract, milestone, whether the contract is active, the participants;
    /// no row when the user does not take part.
    struct Access: PostgresPreparedStatement {
        static let sql = """
            SELECT c.contract_id, c.milestone_id, k.status = 'active',
                   array(SELECT p.user_id FROM conversation_participants p WHERE p.conversation_id = c.id ORDER BY p.role)
            FROM conversations c JOIN contracts k ON k.id = c.contract_id
            WHERE c.id = $1
              AND EXISTS (SELECT 1 FROM conversation_participants p WHERE p.conversation_id = c.id AND p.user_id = $2)
            """
        static let bindingDataTypes: [PostgresDataType] = [.uuid, .text]
        typealias Row = (String, String?, Bool, [String])

        var conversationId: UUID
        var userId: String

        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 2)
            bindings.append(conversationId)
            bindings.append(userId)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }

    /// Stores a message and updates the conversation and the unread counts in one statement; returns the stored
    /// time and the sender's name, or no row when the sender's `clientMessageId` was used before in this
    /// conversation (then nothing changed). The conversation row is locked first, as mark-read does, so the two
    /// never deadlock; the updates depend on the insert.
    struct InsertMessage: PostgresPreparedStatement {
        static let sql = """
            WITH locked AS (
                SELECT id FROM conversations WHERE id = $1 FOR UPDATE
            ), inserted AS (
                INSERT INTO messages (id, conversation_id, sender_id, content, message_type, attachments, client_message_id, sent_at)
                SELECT $2, locked.id, $3, $4, $5, $6::jsonb, $7, $8
                FROM locked
                ON CONFLICT (conversation_id, sender_id, client_message_id) WHERE client_message_id IS NOT NULL DO NOTHING
                RETURNING id, sent_at
            ), conversation AS (
                UPDATE conversations c
                SET last_message_id = inserted.id, last_message_at = inserted.sent_at,
                    last_message_content = $4, last_message_sender = $3, message_count = c.message_count + 1
                FROM inserted WHERE c.id = $1
            ), participants AS (
                UPDATE conversation_participants p
                SET unread_count = p.unread_count + CASE WHEN p.user_id = $3 THEN 0 ELSE 1 END,
                    last_activity_at = inserted.sent_at,
                    archived = CASE WHEN p.user_id = $3 THEN p.archived ELSE false END
                FROM inserted WHERE p.conversation_id = $1
            )
            SELECT inserted.sent_at, u.first_name, u.last_name, u.avatar FROM inserted JOIN users u ON u.id = $3
            """
        static let bindingDataTypes: [PostgresDataType] = [
            .uuid, .uuid, .text, .text, .text, .text, .text, .timestamptz,
        ]
        typealias Row = (Date, String, String, String?)

        var message: MessageStore.NewMessage
        var id: UUID
        var attachmentsJSON: String
        var sentAt: Date

        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 8)
            bindings.append(message.conversationId)
            bindings.append(id)
            bindings.append(message.senderId)
            bindings.append(message.content)
            bindings.append(message.messageType)
            bindings.append(attachmentsJSON)
            bindings.append(message.clientMessageId)
            bindings.append(sentAt)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }
}
