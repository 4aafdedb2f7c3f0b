import Foundation
import PostgresNIO

/// Presence rows: which node holds sockets of which user, each node's heartbeat, and when users were last seen.
/// Every change of one user's presence takes a transaction-scoped advisory lock on the user, so two nodes that see
/// the same user come and go at once agree on which of them announces the change.
extension MessageStore {
    /// A user's presence as the rows say: online while a node with a fresh heartbeat holds a socket of theirs.
    struct PresenceRow: Sendable, Equatable {
        var online: Bool
        var lastSeenAt: Date?
    }

    /// Records that `node` holds sockets of `user`; answers the time of the change when the user was offline on
    /// every node before (a change to announce), nil otherwise.
    func presenceArrived(user: String, node: String, timeout: Duration) async throws -> Date? {
        let seconds = Self.seconds(timeout)
        return try await writeTransaction { [logger] connection in
            try await Self.lockPresence(of: user, on: connection, logger)
            let wasOnline = try await Self.isOnline(user, except: node, seconds: seconds, on: connection, logger)
            let rows = try await connection.query(
                """
                WITH session AS (
                    INSERT INTO presence_sessions (user_id, node_id) VALUES (\(user), \(node))
                    ON CONFLICT (user_id, node_id) DO NOTHING
                    RETURNING 1
                )
                INSERT INTO user_presence (user_id, last_seen_at) VALUES (\(user), now())
                ON CONFLICT (user_id) DO UPDATE SET last_seen_at = now()
                RETURNING last_seen_at, (SELECT count(*) FROM session)
                """,
                logger: logger
            )
            for try await (seenAt, inserted) in rows.decode((Date, Int).self) {
                return wasOnline || inserted == 0 ? nil : seenAt
            }
            return nil
        }
    }

    /// Records that `node` holds no socket of `user` any more; answers the time they were last seen when no other
    /// live node holds one (a change to announce), nil otherwise.
    func presenceLeft(user: String, node: String, timeout: Duration) async throws -> Date? {
        let seconds = Self.seconds(timeout)
        return try await writeTransaction { [logger] connection in
            try await Self.lockPresence(of: user, on: connection, logger)
            let deleted = try await connection.query(
                "DELETE FROM presence_sessions WHERE user_id = \(user) AND node_id = \(node) RETURNING 1",
                logger: logger
            )
            var removed = false
            for try await _ in deleted { removed = true }
            guard removed else { return nil }
            return try await Self.markOffline(user, at: nil, seconds: seconds, on: connection, logger)
        }
    }

    /// Beats `node`'s heartbeat; answers true when the node had no row (its first beat, or it was swept as dead
    /// while it lived: its sessions are gone and must be recorded again).
    func presenceBeat(node: String) async throws -> Bool {
        let rows = try await client.query(
            """
            INSERT INTO presence_nodes (node_id, beat_at) VALUES (\(node), now())
            ON CONFLICT (node_id) DO UPDATE SET beat_at = now()
            RETURNING xmax = 0
            """,
            logger: logger
        )
        for try await inserted in rows.decode(Bool.self) { return inserted }
        return false
    }

    /// Takes away the sessions of nodes whose heartbeat is older than `timeout`, and of `node` itself when given
    /// (a node that starts again under its name, or stops). Answers each user who is offline now, with the time
    /// they were last seen (the dead node's last beat). Each session is taken by one caller only, so of several
    /// nodes sweeping at once exactly one announces each change.
    func sweepPresence(timeout: Duration, including node: String? = nil) async throws -> [(String, Date)] {
        let seconds = Self.seconds(timeout)
        let rows = try await client.query(
            """
            WITH dead AS (
                DELETE FROM presence_nodes
                WHERE beat_at < now() - make_interval(secs => \(seconds)) OR node_id = \(node)
                RETURNING node_id, beat_at
            )
            DELETE FROM presence_sessions s USING dead WHERE s.node_id = dead.node_id
            RETURNING s.user_id, least(dead.beat_at, now())
            """,
            logger: logger
        )
        var left: [String: Date] = [:]
        for try await (user, beat) in rows.decode((String, Date).self) { left[user] = max(left[user] ?? beat, beat) }
        var offline: [(String, Date)] = []
        for (user, beat) in left.sorted(by: { $0.key < $1.key }) {
            let seenAt = try await writeTransaction { [logger] connection in
                try await Self.lockPresence(of: user, on: connection, logger)
                return try await Self.markOffline(user, at: beat, seconds: seconds, on: connection, logger)
            }
            if let seenAt { offline.append((user, seenAt)) }
        }
        return offline
    }

    /// The presence of one user.
    func presence(of user: String, timeout: Duration) async throws -> PresenceRow {
        let seconds = Self.seconds(timeout)
        let rows = try await client.query(
            """
            SELECT EXISTS (
                       SELECT 1 FROM presence_sessions s JOIN presence_nodes n ON n.node_id = s.node_id
                       WHERE s.user_id = \(user) AND n.beat_at >= now() - make_interval(secs => \(seconds))),
                   (SELECT last_seen_at FROM user_presence WHERE user_id = \(user))
            """,
            logger: logger
        )
        for try await (online, seenAt) in rows.decode((Bool, Date?).self) {
            return PresenceRow(online: online, lastSeenAt: seenAt)
        }
        return PresenceRow(online: false, lastSeenAt: nil)
    }

    /// The users who share a conversation with `user` (at most `limit`): who hears of their presence.
    func counterparts(of user: String, limit: Int = 10_000) async throws -> [String] {
        let rows = try await client.query(
            """
            SELECT DISTINCT other.user_id
            FROM conversation_participants me
            JOIN conversation_participants other
              ON other.conversation_id = me.conversation_id AND other.user_id <> me.user_id
            WHERE me.user_id = \(user)
            LIMIT \(limit)
            """,
            logger: logger
        )
        var users: [String] = []
        for try await other in rows.decode(String.self) { users.append(other) }
        return users
    }

    // MARK: Parts

    private static func lockPresence(
        of user: String,
        on connection: PostgresConnection,
        _ logger: Logger
    )
        async throws
    {
        _ = try await connection.query(
            "SELECT pg_advisory_xact_lock(hashtextextended('presence:' || \(user), 0))",
            logger: logger
        )
    }

    private static func isOnline(
        _ user: String,
        except node: String?,
        seconds: Double,
        on connection: PostgresConnection,
        _ logger: Logger
    ) async throws -> Bool {
        let rows = try await connection.query(
            """
            SELECT EXISTS (
                SELECT 1 FROM presence_sessions s JOIN presence_nodes n ON n.node_id = s.node_id
                WHERE s.user_id = \(user) AND s.node_id IS DISTINCT FROM \(node)
                  AND n.beat_at >= now() - make_interval(secs => \(seconds)))
            """,
            logger: logger
        )
        for try await online in rows.decode(Bool.self) { return online }
        return false
    }

    /// When no live node holds a socket of the user: records when they were last seen (`at`, or now) and answers
    /// it; nil while they are still online elsewhere.
    private static func markOffline(
        _ user: String,
        at seenAt: Date?,
        seconds: Double,
        on connection: PostgresConnection,
        _ logger: Logger
    ) async throws -> Date? {
        guard try await !isOnline(user, except: nil, seconds: seconds, on: connection, logger) else { return nil }
        let rows = try await connection.query(
            """
            INSERT INTO user_presence (user_id, last_seen_at) VALUES (\(user), coalesce(\(seenAt), now()))
            ON CONFLICT (user_id) DO UPDATE SET last_seen_at = greatest(user_presence.last_seen_at, excluded.last_seen_at)
            RETURNING last_seen_at
            """,
            logger: logger
        )
        for try await stored in rows.decode(Date.self) { return stored }
        return nil
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
