import Foundation
import PostgresNIO

/// The statements of history reads, prepared once per pooled connection like the send path's. One statement
/// answers a whole page request in one round trip: whether the viewer may read the conversation (a participant, or
/// the mediator of an open dispute of its contract; no row for anyone else), the conversation's message count, both participants' read positions and its latest change (on every row),
/// and the page's messages (none when the page is empty: then one row whose message columns are null). Rows are
/// handed over undecoded; the store decodes them.
enum HistoryStatements {
    /// `$1` conversation, `$2` viewer; `page` selects the messages and numbers its own parameters from `$3`.
    /// The other participants' position is the least advanced of theirs (a message is read when all have read it).
    static func pageSQL(_ page: String, order: String) -> String {
        """
        SELECT c.message_count, p.last_read_message_id, o.last_read_message_id, m.id, m.sender_id, m.first_name,
               m.last_name, m.avatar, m.content, m.message_type, m.attachments, m.sent_at, m.client_message_id,
               m.edited_at, m.deleted_at, m.reactions, latest.change_seq
        FROM conversations c
        LEFT JOIN conversation_participants p ON p.conversation_id = c.id AND p.user_id = $2
        LEFT JOIN LATERAL (
            SELECT o.last_read_message_id FROM conversation_participants o
            WHERE o.conversation_id = c.id AND o.user_id <> $2
            ORDER BY o.last_read_message_id NULLS FIRST LIMIT 1
        ) o ON true
        CROSS JOIN LATERAL (
            SELECT coalesce(max(x.change_seq), 0) AS change_seq FROM messages x WHERE x.conversation_id = c.id
        ) latest
        LEFT JOIN LATERAL (
            SELECT m.id, m.sender_id, u.first_name, u.last_name, u.avatar, m.content, m.message_type,
                   m.attachments::text AS attachments, m.sent_at, m.client_message_id, m.edited_at, m.deleted_at,
                   \(MessageStore.reactionsColumn) AS reactions
            FROM messages m LEFT JOIN users u ON u.id = m.sender_id
            WHERE m.conversation_id = c.id \(page)
        ) m ON true
        WHERE c.id = $1 AND (p.user_id IS NOT NULL OR \(MessageStore.mediatesCondition(viewerParameter: "$2")))
        ORDER BY m.id \(order)
        """
    }

    /// The newest messages, newest first, from an offset.
    struct NewestMessages: HistoryPage {
        static let sql = pageSQL("ORDER BY m.id DESC LIMIT $3 OFFSET $4", order: "DESC")
        static let bindingDataTypes: [PostgresDataType] = [.uuid, .text, .int8, .int8]
        typealias Row = PostgresRow
        var conversation: UUID
        var viewer: String
        var limit: Int
        var offset: Int

        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 4)
            bindings.append(conversation)
            bindings.append(viewer)
            bindings.append(limit)
            bindings.append(offset)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) -> Row { row }
    }

    /// Messages older than a cursor, newest first, from an offset.
    struct MessagesBefore: CursorPage {
        static let sql = pageSQL("AND m.id < $3 ORDER BY m.id DESC LIMIT $4 OFFSET $5", order: "DESC")
        var conversation: UUID
        var viewer: String
        var cursor: UUID
        var limit: Int
        var offset: Int
    }

    /// Messages newer than a cursor, oldest first, from an offset (catching up after a reconnect).
    struct MessagesAfter: CursorPage {
        static let sql = pageSQL("AND m.id > $3 ORDER BY m.id ASC LIMIT $4 OFFSET $5", order: "ASC")
        var conversation: UUID
        var viewer: String
        var cursor: UUID
        var limit: Int
        var offset: Int
    }

    /// Messages strictly between two cursors, oldest first, from an offset.
    struct MessagesBetween: HistoryPage {
        static let sql = pageSQL("AND m.id > $3 AND m.id < $4 ORDER BY m.id ASC LIMIT $5 OFFSET $6", order: "ASC")
        static let bindingDataTypes: [PostgresDataType] = [.uuid, .text, .uuid, .uuid, .int8, .int8]
        typealias Row = PostgresRow
        var conversation: UUID
        var viewer: String
        var after: UUID
        var before: UUID
        var limit: Int
        var offset: Int

        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 6)
            bindings.append(conversation)
            bindings.append(viewer)
            bindings.append(after)
            bindings.append(before)
            bindings.append(limit)
            bindings.append(offset)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) -> Row { row }
    }
}

/// A history statement: a page of one conversation's messages as one viewer sees them.
protocol HistoryPage: PostgresPreparedStatement where Row == PostgresRow {
    var conversation: UUID { get }
    var viewer: String { get }
}

/// A page of messages next to a cursor message; the two directions differ only in their SQL.
protocol CursorPage: HistoryPage {
    var cursor: UUID { get }
    var limit: Int { get }
    var offset: Int { get }
}

extension CursorPage {
    static var bindingDataTypes: [PostgresDataType] { [.uuid, .text, .uuid, .int8, .int8] }

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 5)
        bindings.append(conversation)
        bindings.append(viewer)
        bindings.append(cursor)
        bindings.append(limit)
        bindings.append(offset)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) -> PostgresRow { row }
}
