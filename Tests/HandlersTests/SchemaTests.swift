import PostgresNIO
import Testing

/// What the schema promises the write path: a send updates its conversation's row and both participants' rows, and
/// those updates stay heap-only (no new index entries, no dead rows left for vacuum) only while no index covers a
/// column they change and the pages keep room for the new row versions.
@Suite struct SchemaTests {
    static let updatedBySends: [String: Set<String>] = [
        "conversations": [
            "last_message_id", "last_message_at", "last_message_content", "last_message_sender", "message_count",
        ],
        "conversation_participants": ["unread_count", "last_activity_at"],
    ]

    @Test func noIndexCoversAColumnThatSendsUpdate() async throws {
        try await TestDatabase.withDatabase { client in
            for (table, updated) in Self.updatedBySends {
                let rows = try await client.query(
                    """
                    SELECT i.relname::text, a.attname::text
                    FROM pg_index x
                    JOIN pg_class t ON t.oid = x.indrelid
                    JOIN pg_class i ON i.oid = x.indexrelid
                    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY (x.indkey)
                    WHERE t.relname = \(table)
                    """,
                    logger: TestDatabase.logger
                )
                var covered: [String] = []
                var indexes: Set<String> = []
                for try await (index, column) in rows.decode((String, String).self) {
                    indexes.insert(index)
                    if updated.contains(column) { covered.append("\(index).\(column)") }
                }
                #expect(!indexes.isEmpty, "\(table) has indexes to check")
                #expect(covered.isEmpty, "\(table): \(covered)")
            }
        }
    }

    @Test func tablesThatSendsUpdateLeaveRoomInTheirPages() async throws {
        try await TestDatabase.withDatabase { client in
            for table in Self.updatedBySends.keys.sorted() {
                let rows = try await client.query(
                    "SELECT coalesce(reloptions, '{}')::text[] FROM pg_class WHERE relname = \(table)",
                    logger: TestDatabase.logger
                )
                var options: [String] = []
                for try await found in rows.decode([String].self) { options = found }
                #expect(options.contains("fillfactor=70"), "\(table): \(options)")
            }
        }
    }
}
