import PostgresNIO

extension MessageStore {
    /// Runs a write on a pooled connection. Until the connection is leased the caller's cancellation (its database
    /// deadline) withdraws the write; once it is leased the write runs to its end whatever happens to the caller,
    /// so an answer never contradicts what was committed. The server's `statement_timeout` bounds that end.
    func write<T: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await client.withConnection { connection in
            try Task.checkCancellation()
            return try await Task { try await body(connection) }.value
        }
    }

    /// `write` inside one transaction.
    func writeTransaction<T: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        let logger = logger
        return try await write { connection in
            try await connection.withTransaction(logger: logger) { try await body($0) }
        }
    }
}
