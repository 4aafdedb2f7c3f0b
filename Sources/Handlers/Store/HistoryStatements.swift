import Foundation
import PostgresNIO

/// The statements of history reads, prepared once per pooled connection like the send path's: a page of messages
/// in each cursor direction and a conversation's message count. Rows are handed over undecoded; the store decodes
/// them.
enum HistoryStatements {
    static let messagePageSelect = """
        SELECT \(MessageStore.messageColumns), p.last_read_message_id
        FROM messages m JOIN users u ON u.id = m.sender_id
        LEFT JOIN conversation_participants p ON p.conversation_id = m.conversation_id AND p.user_id = $2
        """

    /// The newest messages, newest first, from an offset.
    struct NewestMessages: PostgresPreparedStatement {
        static let sql = messagePageSelect + " WHERE m.conversation_id = $1 ORDER BY m.id DESC LIMIT $3 OFFSET $4"
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

    /// Messages older than a cursor, newest first.
    struct MessagesBefore: CursorPage {
        static let sql = messagePageSelect + " WHERE m.conversation_id = $1 AND m.id < $3 ORDER BY m.id DESC LIMIT $4"
        var conversation: UUID
        var viewer: String
        var cursor: UUID
        var limit: Int
    }

    /// Messages newer than a cursor, oldest first (catching up after a reconnect).
    struct MessagesAfter: CursorPage {
        static let sql = messagePageSelect + " WHERE m.conversation_id = $1 AND m.id > $3 ORDER BY m.id ASC LIMIT $4"
        var conversation: UUID
        var viewer: String
        var cursor: UUID
        var limit: Int
    }

    struct MessageCount: PostgresPreparedStatement {
        static let sql = "SELECT message_count FROM conversations WHERE id = $1"
        static let bindingDataTypes: [PostgresDataType] = [.uuid]
        typealias Row = Int
        var conversation: UUID

        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 1)
            bindings.append(conversation)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Int.self) }
    }
}

/// A page of messages next to a cursor message; the two directions differ only in their SQL.
protocol CursorPage: PostgresPreparedStatement where Row == PostgresRow {
    var conversation: UUID { get }
    var viewer: String { get }
    var cursor: UUID { get }
    var limit: Int { get }
}

extension CursorPage {
    static var bindingDataTypes: [PostgresDataType] { [.uuid, .text, .uuid, .int8] }

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 4)
        bindings.append(conversation)
        bindings.append(viewer)
        bindings.append(cursor)
        bindings.append(limit)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) -> PostgresRow { row }
}
