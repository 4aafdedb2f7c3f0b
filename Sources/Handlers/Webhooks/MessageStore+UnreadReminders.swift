import APIRuntime
import Foundation
import PostgresNIO

extension MessageStore {
    /// Writes a `message.unread_reminder` event for each participant who left messages unread for `after`: one per
    /// recipient and conversation, covering every unread message of that age (the newest of them is the event's
    /// message). A reminded participant gets the next reminder only for a message newer than the last one covered,
    /// once it too has waited `after`. At most `limit` reminders a call; returns how many it wrote (0 also when
    /// another node is sweeping at the moment).
    ///
    /// The participants with unread messages are found by a scan of the participants table (an index on
    /// `unread_count` would cost every send a write to it); each of them costs one backwards index scan of their
    /// conversation's newest messages.
    func writeUnreadReminders(after: Duration, limit: Int) async throws -> Int {
        let seconds = Double(after.wholeMilliseconds) / 1_000
        let logger = logger
        return try await writeTransaction { connection in
            let locked = try await connection.query("SELECT pg_try_advisory_xact_lock(7428302)", logger: logger)
            for try await held in locked.decode(Bool.self) where !held { return 0 }
            let due = try await connection.query(
                """
                SELECT p.conversation_id, p.user_id, last.id, covered.n
                FROM conversation_participants p
                CROSS JOIN LATERAL (
                    SELECT m.id FROM messages m
                    WHERE m.conversation_id = p.conversation_id
                      AND m.id > coalesce(greatest(p.last_read_message_id, p.reminded_through_message_id),
                                          '00000000-0000-0000-0000-000000000000')
                      AND m.sent_at <= now() - \(seconds) * interval '1 second'
                      AND m.sender_id IS DISTINCT FROM p.user_id AND m.deleted_at IS NULL
                    ORDER BY m.id DESC LIMIT 1
                ) last
                CROSS JOIN LATERAL (
                    SELECT count(*)::int8 AS n FROM messages m
                    WHERE m.conversation_id = p.conversation_id
                      AND m.id > coalesce(p.last_read_message_id, '00000000-0000-0000-0000-000000000000')
                      AND m.id <= last.id
                      AND m.sender_id IS DISTINCT FROM p.user_id AND m.deleted_at IS NULL
                ) covered
                WHERE p.unread_count > 0
                ORDER BY p.conversation_id
                LIMIT \(limit)
                """,
                logger: logger
            )
            var reminders: [(conversation: UUID, user: String, through: UUID, count: Int)] = []
            for try await (conversation, user, through, count) in due.decode((UUID, String, UUID, Int).self) {
                reminders.append((conversation, user, through, count))
            }
            guard !reminders.isEmpty else { return 0 }
            let conversations = reminders.map(\.conversation)
            let users = reminders.map(\.user)
            let throughs = reminders.map(\.through)
            let counts = reminders.map(\.count)
            // Under the conversations' row locks, as every writer of their events: ids in commit order. The
            // participant's position is read again under the lock, so a read that committed meanwhile wins.
            _ = try await connection.query(
                "SELECT 1 FROM conversations WHERE id = ANY(\(conversations)) ORDER BY id FOR UPDATE",
                logger: logger
            )
            let written = try await connection.query(
                """
                WITH due AS (
                    SELECT * FROM unnest(\(conversations)::uuid[], \(users)::text[], \(throughs)::uuid[],
                                         \(counts)::int8[]) AS d (conversation_id, user_id, through, n)
                ), reminded AS (
                    UPDATE conversation_participants p SET reminded_through_message_id = due.through
                    FROM due
                    WHERE p.conversation_id = due.conversation_id AND p.user_id = due.user_id
                      AND due.through > coalesce(greatest(p.last_read_message_id, p.reminded_through_message_id),
                                                 '00000000-0000-0000-0000-000000000000')
                    RETURNING p.conversation_id, p.user_id, due.through, due.n
                ), queued AS (
                    INSERT INTO webhook_outbox (event_type, conversation_id, message_id, user_id, details)
                    SELECT 'message.unread_reminder', r.conversation_id, r.through, r.user_id,
                           jsonb_build_object('unreadCount', r.n)
                    FROM reminded r WHERE (SELECT enabled FROM webhook_configuration)
                    ORDER BY r.conversation_id, r.user_id
                    RETURNING 1
                )
                SELECT count(*)::int8 FROM queued
                """,
                logger: logger
            )
            for try await count in written.decode(Int.self) { return count }
            return 0
        }
    }
}
