import Logging
import PostgresNIO

/// The versioned schema. Each migration runs once, in order, in its own transaction; the applied versions are
/// recorded in `schema_migrations`. An advisory lock lets several nodes start at once.
public enum Migrations {
    public struct Migration: Sendable {
        public var version: Int
        public var name: String
        public var statements: [String]
    }

    public static let all: [Migration] = [
        Migration(version: 1, name: "messaging schema", statements: Schema.v1),
        Migration(version: 2, name: "cross-node broadcast payloads", statements: Schema.v2),
        Migration(version: 3, name: "heap-only updates of conversations and participants", statements: Schema.v3),
        Migration(version: 4, name: "system messages without a sender", statements: Schema.v4),
        Migration(version: 5, name: "connection state recovery", statements: Schema.v5),
        Migration(version: 6, name: "message ids in commit order", statements: Schema.v6),
        Migration(version: 7, name: "edits, deletion, reactions, change cursor, search", statements: Schema.v7),
        Migration(version: 8, name: "presence across nodes", statements: Schema.v8),
        Migration(version: 9, name: "search within a user's conversations", statements: Schema.v9),
        Migration(version: 10, name: "search vectors written after the send", statements: Schema.v10),
        Migration(version: 11, name: "webhook outbox", statements: Schema.v11),
        Migration(version: 12, name: "disputes and mediation", statements: Schema.v12),
        Migration(version: 13, name: "recovery tables without write-ahead log", statements: Schema.v13),
        Migration(version: 14, name: "message references checked by their inserts", statements: Schema.v14),
    ]

    /// Applies the migrations not yet applied; returns the versions it applied.
    @discardableResult
    public static func run(on client: PostgresClient, logger: Logger) async throws -> [Int] {
        try await client.withConnection { connection in
            // Waiting for another node's migrations, or building an index, may take longer than the pool's
            // `statement_timeout` allows an ordinary statement.
            _ = try await connection.query("SET statement_timeout = 0", logger: logger)
            _ = try await connection.query("SELECT pg_advisory_lock(7428301)", logger: logger)
            do {
                let applied = try await apply(on: connection, logger: logger)
                _ = try await connection.query("SELECT pg_advisory_unlock(7428301)", logger: logger)
                _ = try await connection.query("RESET statement_timeout", logger: logger)
                return applied
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(7428301)", logger: logger)
                _ = try? await connection.query("RESET statement_timeout", logger: logger)
                throw error
            }
        }
    }

    /// The highest applied version, or 0 (used by readiness checks).
    public static func currentVersion(on client: PostgresClient, logger: Logger) async throws -> Int {
        let rows = try await client.query(
            "SELECT coalesce(max(version), 0) FROM schema_migrations",
            logger: logger
        )
        for try await version in rows.decode(Int.self) { return version }
        return 0
    }

    public static var latestVersion: Int { all.map(\.version).max() ?? 0 }

    private static func apply(on connection: PostgresConnection, logger: Logger) async throws -> [Int] {
        _ = try await connection.query(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            logger: logger
        )
        var done = Set<Int>()
        for try await version in try await connection.query("SELECT version FROM schema_migrations", logger: logger)
            .decode(Int.self)
        {
            done.insert(version)
        }
        var applied: [Int] = []
        for migration in all where !done.contains(migration.version) {
            logger.info(
                "Applying migration",
                metadata: ["version": "\(migration.version)", "name": "\(migration.name)"]
            )
            try await connection.withTransaction(logger: logger) { connection in
                for statement in migration.statements {
                    _ = try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                _ = try await connection.query(
                    "INSERT INTO schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))",
                    logger: logger
                )
            }
            applied.append(migration.version)
        }
        return applied
    }
}
