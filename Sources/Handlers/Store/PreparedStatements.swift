import Foundation
import PostgresNIO

/// The statements every send runs, prepared once per pooled connection (postgres-nio prepares a statement on a
/// connection the first time it runs there): parsing and planning them anew on each call costs about as much as
/// running them.
enum PreparedStatements {
    /// The conversation seen from one user: contract, milestone, its write state, the participants; no row when the
    /// user does not take part.
    struct Access: PostgresPreparedStatement {
        static let sql = """
            SELECT c.contract_id, c.milestone_id, \(WriteState.columns),
                   array(SELECT p.user_id FROM conversation_participants p WHERE p.conversation_id = c.id ORDER BY p.role)
            FROM conversations c JOIN contracts k ON k.id = c.contract_id
            WHERE c.id = $1
              AND EXISTS (SELECT 1 FROM conversation_participants p WHERE p.conversation_id = c.id AND p.user_id = $2)
            """
        static let bindingDataTypes: [PostgresDataType] = [.uuid, .text]
        typealias Row = (String, String?, Bool, Bool, [String])

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

    /// Stores one message and updates its conversation and the unread counts: the batch statement's work for a
    /// batch of one, in a form PostgreSQL executes in about half the time. No row when the sender's
    /// `clientMessageId` was used before in this conversation, when the sender does not take part in the
    /// conversation, or when the conversation's contract is no longer active, or the dispute closed (then nothing
    /// changed). The stored id is the minted one unless that is not above the conversation's
    /// last message, read under the conversation's lock (see `InsertMessages`).
    struct InsertMessage: PostgresPreparedStatement {
        static let sql = """
            WITH locked AS (
                SELECT c.id, c.last_message_id FROM conversations c JOIN contracts k ON k.id = c.contract_id
                WHERE c.id = $1 AND \(WriteState.condition)
                  AND EXISTS (SELECT 1 FROM conversation_participants p WHERE p.conversation_id = c.id AND p.user_id = $3)
                FOR UPDATE OF c
            ), inserted AS (
                INSERT INTO messages (id, conversation_id, sender_id, content, message_type, attachments, client_message_id, sent_at)
                SELECT message_id_after($2, locked.last_message_id, 1), locked.id, $3, $4, $5, $6::jsonb, $7, $8
                FROM locked
                ON CONFLICT (conversation_id, sender_id, client_message_id) WHERE client_message_id IS NOT NULL DO NOTHING
                RETURNING id, sent_at
            ), conversation AS (
                UPDATE conversations c
                SET last_message_id = CASE WHEN c.last_message_id >= inserted.id THEN c.last_message_id ELSE inserted.id END,
                    last_message_at = CASE WHEN c.last_message_id >= inserted.id THEN c.last_message_at ELSE inserted.sent_at END,
                    last_message_content = CASE WHEN c.last_message_id >= inserted.id THEN c.last_message_content ELSE $4 END,
                    last_message_sender = CASE WHEN c.last_message_id >= inserted.id THEN c.last_message_sender ELSE $3 END,
                    message_count = c.message_count + 1
                FROM inserted WHERE c.id = $1
            ), participants AS (
                UPDATE conversation_participants p
                SET unread_count = p.unread_count + CASE WHEN p.user_id = $3 THEN 0 ELSE 1 END,
                    last_activity_at = greatest(p.last_activity_at, inserted.sent_at),
                    archived = CASE WHEN p.user_id = $3 THEN p.archived ELSE false END
                FROM inserted WHERE p.conversation_id = $1
            )
            SELECT $2::uuid, inserted.id, inserted.sent_at, u.first_name, u.last_name, u.avatar
            FROM inserted JOIN users u ON u.id = $3
            """
        static let bindingDataTypes: [PostgresDataType] = [
            .uuid, .uuid, .text, .text, .text, .text, .text, .timestamptz,
        ]
        typealias Row = InsertMessages.Row

        var item: InsertMessages.Item
        var sentAt: Date

        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 8)
            bindings.append(item.message.conversationId)
            bindings.append(item.id)
            bindings.append(item.message.senderId)
            bindings.append(item.message.content)
            bindings.append(item.message.messageType.rawValue)
            bindings.append(item.attachmentsJSON)
            bindings.append(item.message.clientMessageId)
            bindings.append(sentAt)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }

    /// Stores a batch of messages (possibly in several conversations) and updates each conversation and its unread
    /// counts, in one statement. Returns a row per stored message with the sender's name; a message whose sender
    /// used its `clientMessageId` before in that conversation (or earlier in the batch), whose sender does not
    /// take part in it, or whose conversation no longer takes writes (see `WriteState`), is left out, and nothing
    /// changed for it. The conversations are locked in id
    /// order, so batches never deadlock with each other or with mark-read, which locks one conversation; the updates
    /// depend on what was inserted. Under that lock each message's id is made greater than its conversation's last
    /// (`message_id_after`), so ids grow in commit order and a catch-up by id misses nothing.
    struct InsertMessages: PostgresPreparedStatement {
        static let sql = """
            WITH input AS (
                SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
                    AS t (id, conversation_id, sender_id, content, message_type, attachments, client_message_id)
            ), locked AS (
                SELECT c.id, c.last_message_id FROM conversations c JOIN contracts k ON k.id = c.contract_id
                WHERE c.id IN (SELECT conversation_id FROM input) AND \(WriteState.condition)
                ORDER BY c.id FOR UPDATE OF c
            ), numbered AS (
                SELECT i.*, message_id_after(i.id, locked.last_message_id,
                                             row_number() OVER (PARTITION BY i.conversation_id ORDER BY i.id)) AS stored_id
                FROM input i JOIN locked ON locked.id = i.conversation_id
                WHERE EXISTS (SELECT 1 FROM conversation_participants p
                              WHERE p.conversation_id = i.conversation_id AND p.user_id = i.sender_id)
            ), inserted AS (
                INSERT INTO messages (id, conversation_id, sender_id, content, message_type, attachments, client_message_id, sent_at)
                SELECT n.stored_id, n.conversation_id, n.sender_id, n.content, n.message_type, n.attachments::jsonb,
                       NULLIF(n.client_message_id, ''), $8
                FROM numbered n
                ORDER BY n.stored_id
                ON CONFLICT (conversation_id, sender_id, client_message_id) WHERE client_message_id IS NOT NULL DO NOTHING
                RETURNING id, conversation_id, sender_id, content, sent_at
            ), latest AS (
                SELECT DISTINCT ON (conversation_id) conversation_id, id, sent_at, content, sender_id,
                       count(*) OVER (PARTITION BY conversation_id) AS added
                FROM inserted ORDER BY conversation_id, id DESC
            ), conversation AS (
                UPDATE conversations c
                SET last_message_id = CASE WHEN c.last_message_id >= latest.id THEN c.last_message_id ELSE latest.id END,
                    last_message_at = CASE WHEN c.last_message_id >= latest.id THEN c.last_message_at ELSE latest.sent_at END,
                    last_message_content = CASE WHEN c.last_message_id >= latest.id
                                                THEN c.last_message_content ELSE latest.content END,
                    last_message_sender = CASE WHEN c.last_message_id >= latest.id
                                               THEN c.last_message_sender ELSE latest.sender_id END,
                    message_count = c.message_count + latest.added
                FROM latest
                WHERE c.id = latest.conversation_id
            ), participants AS (
                UPDATE conversation_participants p
                SET unread_count = p.unread_count + s.from_others, last_activity_at = s.last_at,
                    archived = p.archived AND s.from_others = 0
                FROM (SELECT m.conversation_id, m.user_id, max(i.sent_at) AS last_at,
                             count(*) FILTER (WHERE i.sender_id <> m.user_id) AS from_others
                      FROM inserted i JOIN conversation_participants m ON m.conversation_id = i.conversation_id
                      GROUP BY m.conversation_id, m.user_id) AS s
                WHERE p.conversation_id = s.conversation_id AND p.user_id = s.user_id
            )
            SELECT n.id, inserted.id, inserted.sent_at, u.first_name, u.last_name, u.avatar
            FROM inserted JOIN numbered n ON n.stored_id = inserted.id JOIN users u ON u.id = inserted.sender_id
            """
        static let bindingDataTypes: [PostgresDataType] = [
            .uuidArray, .uuidArray, .textArray, .textArray, .textArray, .textArray, .textArray, .timestamptz,
        ]
        /// The id the node minted, the id stored, the time, the sender's name and avatar.
        typealias Row = (UUID, UUID, Date, String, String, String?)

        struct Item: Sendable {
            var id: UUID
            var message: MessageStore.NewMessage
            var attachmentsJSON: String
        }

        var items: [Item]
        var sentAt: Date

        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 8)
            bindings.append(items.map(\.id))
            bindings.append(items.map(\.message.conversationId))
            bindings.append(items.map(\.message.senderId))
            bindings.append(items.map(\.message.content))
            bindings.append(items.map(\.message.messageType.rawValue))
            bindings.append(items.map(\.attachmentsJSON))
            // No client message id travels as '' (a real one has at least one character).
            bindings.append(items.map { $0.message.clientMessageId ?? "" })
            bindings.append(sentAt)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }
}
