import Foundation
import PostgresNIO

/// The statements of the conversation list, prepared once per pooled connection: one page of the viewer's
/// conversations and their total in one round trip. The total is on every row; an empty page is one row whose
/// conversation columns are null. One statement per filter rather than parameters for `includeArchived` and the
/// contract: planned once for any value, `($2 IS NULL OR c.contract_id = $2)` or a flag in the filter misleads
/// PostgreSQL's estimates into a scan of every conversation instead of the participants index (optimisation
/// record, step 13).
enum ConversationStatements {
    /// `$1` viewer, `$2` contract (used by the filters of one contract), `$3` limit, `$4` offset. The filter reads
    /// only the viewer's participant rows, so the page is chosen (sorted by activity) before anything is joined to
    /// it: the joins run for the rows of the page, not for every conversation of the viewer.
    static func pageSQL(filter: String) -> String {
        """
        SELECT page.id, page.contract_id, page.milestone_id, page.created_at, page.active,
               page.client_id, page.client_first, page.client_last, page.client_avatar,
               page.freelancer_id, page.freelancer_first, page.freelancer_last, page.freelancer_avatar,
               page.last_content, page.last_at, page.last_sender, page.unread_count, page.archived,
               page.other_read_id, page.other_read_at, page.kind, page.participants, t.total
        FROM (
            SELECT count(*) AS total FROM conversation_participants me WHERE me.user_id = $1 \(filter)
        ) t
        LEFT JOIN LATERAL (
            SELECT c.id, c.contract_id, c.milestone_id, c.created_at, \(WriteState.condition) AS active,
                   cu.id AS client_id, cu.first_name AS client_first, cu.last_name AS client_last,
                   cu.avatar AS client_avatar,
                   fu.id AS freelancer_id, fu.first_name AS freelancer_first, fu.last_name AS freelancer_last,
                   fu.avatar AS freelancer_avatar,
                   c.last_message_content AS last_content, c.last_message_at AS last_at,
                   c.last_message_sender AS last_sender, me.unread_count, me.archived,
                   other.last_read_message_id AS other_read_id, other.last_read_at AS other_read_at,
                   me.last_activity_at AS activity, c.kind, \(MessageStore.participantsColumn) AS participants
            FROM (
                SELECT me.conversation_id, me.user_id, me.unread_count, me.archived, me.last_activity_at
                FROM conversation_participants me
                WHERE me.user_id = $1 \(filter)
                ORDER BY me.last_activity_at DESC, me.conversation_id DESC
                LIMIT $3 OFFSET $4
            ) me
            JOIN conversations c ON c.id = me.conversation_id
            JOIN contracts k ON k.id = c.contract_id
            JOIN users cu ON cu.id = k.client_id
            JOIN users fu ON fu.id = k.freelancer_id
            \(MessageStore.otherReadJoin)
        ) page ON true
        ORDER BY page.activity DESC, page.id DESC
        """
    }

    /// Conversations the viewer has not archived, of every contract or of one; and the same with archived ones.
    enum Active: ConversationFilter { static let scope = (includesArchived: false, oneContract: false) }
    enum ActiveOfContract: ConversationFilter { static let scope = (includesArchived: false, oneContract: true) }
    enum All: ConversationFilter { static let scope = (includesArchived: true, oneContract: false) }
    enum AllOfContract: ConversationFilter { static let scope = (includesArchived: true, oneContract: true) }

    /// One page of the conversations `Filter` selects; each filter is its own prepared statement.
    struct Page<Filter: ConversationFilter>: PostgresPreparedStatement {
        /// Named by hand: the default name (the type's full name) runs past PostgreSQL's 63-byte identifiers, where
        /// the filters' names would be cut to the same prefix.
        static var name: String {
            "conversation_page" + (Filter.scope.includesArchived ? "_all" : "_active")
                + (Filter.scope.oneContract ? "_of_contract" : "")
        }
        static var sql: String {
            pageSQL(
                filter: (Filter.scope.includesArchived ? "" : "AND NOT me.archived")
                    + (Filter.scope.oneContract
                        ? " AND me.conversation_id IN (SELECT id FROM conversations WHERE contract_id = $2)" : "")
            )
        }
        static var bindingDataTypes: [PostgresDataType] { [.text, .text, .int8, .int8] }
        typealias Row = PostgresRow
        var viewer: String
        var contractId: String?
        var limit: Int
        var offset: Int

        init(_ viewer: String, _ contractId: String?, _ limit: Int, _ offset: Int) {
            (self.viewer, self.contractId, self.limit, self.offset) = (viewer, contractId, limit, offset)
        }

        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 4)
            bindings.append(viewer)
            bindings.append(contractId)
            bindings.append(limit)
            bindings.append(offset)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) -> PostgresRow { row }
    }
}

/// Which conversations a list statement selects.
protocol ConversationFilter: Sendable {
    static var scope: (includesArchived: Bool, oneContract: Bool) { get }
}
