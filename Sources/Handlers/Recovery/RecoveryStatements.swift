import PostgresNIO

/// The statement every recovery flush runs, prepared once per pooled connection: planning it anew cost each flush
/// as much as writing its rows.
enum RecoveryStatements {
    /// Records broadcasts, one row each; the rooms travel as JSON arrays (one text per broadcast). An offset
    /// already written (a flush retried after an unknown outcome) is skipped.
    struct InsertEvents: PostgresPreparedStatement {
        static let sql = """
            INSERT INTO socket_events (event_offset, namespace, rooms, except_rooms, packet)
            SELECT o, n, ARRAY(SELECT jsonb_array_elements_text(r::jsonb)),
                   ARRAY(SELECT jsonb_array_elements_text(e::jsonb)), p
            FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS t (o, n, r, e, p)
            ON CONFLICT (event_offset) DO NOTHING
            """
        static let bindingDataTypes: [PostgresDataType] = [.textArray, .textArray, .textArray, .textArray, .textArray]
        typealias Row = Void

        var offsets: [String]
        var namespaces: [String]
        var rooms: [String]
        var exceptRooms: [String]
        var packets: [String]

        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 5)
            bindings.append(offsets)
            bindings.append(namespaces)
            bindings.append(rooms)
            bindings.append(exceptRooms)
            bindings.append(packets)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {}
    }
}
