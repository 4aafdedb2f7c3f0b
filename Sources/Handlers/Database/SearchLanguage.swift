import Logging
import PostgresNIO

/// The text search configuration of message search (`SEARCH_LANGUAGE`). The configuration in use is the body of
/// `messaging_search_config()`, which the search vectors (`message_search`, `Schema.v10`) and the queries both
/// call, and `search_configuration` records which one the stored vectors were built with. A language PostgreSQL
/// has no configuration for is searched with `simple` (words as written, no stemming, no stop words).
public enum SearchLanguage {
    /// Makes `language` the configuration in use, rebuilding every stored vector when it changes (once, at the first
    /// start with a new language: a full pass over the messages, under the migrations' lock so that nodes starting
    /// together do it once). Returns the configuration in use.
    @discardableResult
    public static func apply(_ language: String, on client: PostgresClient, logger: Logger) async throws -> String {
        try await client.withConnection { connection in
            _ = try await connection.query("SET statement_timeout = 0", logger: logger)
            _ = try await connection.query("SELECT pg_advisory_lock(7428301)", logger: logger)
            do {
                let configuration = try await applyLocked(language, on: connection, logger: logger)
                _ = try await connection.query("SELECT pg_advisory_unlock(7428301)", logger: logger)
                _ = try await connection.query("RESET statement_timeout", logger: logger)
                return configuration
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(7428301)", logger: logger)
                _ = try? await connection.query("RESET statement_timeout", logger: logger)
                throw error
            }
        }
    }

    private static func applyLocked(
        _ language: String,
        on connection: PostgresConnection,
        logger: Logger
    ) async throws -> String {
        let wanted = language.lowercased()
        let rows = try await connection.query(
            """
            SELECT coalesce((SELECT cfgname::text FROM pg_ts_config WHERE cfgname = \(wanted) LIMIT 1), 'simple'),
                   (SELECT config FROM search_configuration)
            """,
            logger: logger
        )
        var (configuration, stored): (String, String?) = ("simple", nil)
        for try await found in rows.decode((String, String?).self) { (configuration, stored) = found }
        if configuration != wanted {
            logger.warning(
                "No text search configuration for this language; searching with 'simple'",
                metadata: ["language": "\(language)"]
            )
        }
        guard configuration != stored else { return configuration }
        logger.info("Rebuilding the message search index", metadata: ["configuration": "\(configuration)"])
        try await connection.withTransaction(logger: logger) { connection in
            // The name is one of pg_ts_config's (read above, never the setting's text), quoted as a literal: a function
            // body takes no bind parameters.
            let quoted = "'" + configuration.replacingOccurrences(of: "'", with: "''") + "'"
            _ = try await connection.query(
                PostgresQuery(
                    unsafeSQL: """
                        CREATE OR REPLACE FUNCTION messaging_search_config() RETURNS regconfig
                            LANGUAGE sql STABLE PARALLEL SAFE RETURN \(quoted)::regconfig
                        """
                ),
                logger: logger
            )
            _ = try await connection.query(
                """
                UPDATE message_search s SET search_vector = messaging_search_row(m.content, m.conversation_id)
                FROM messages m WHERE m.id = s.message_id AND m.deleted_at IS NULL
                """,
                logger: logger
            )
            _ = try await connection.query(
                "UPDATE search_configuration SET config = \(configuration)",
                logger: logger
            )
        }
        return configuration
    }
}
