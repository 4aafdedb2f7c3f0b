import APIRuntime
import Foundation
import Generated
import PostgresNIO

extension MessageStore {
    /// One outbox row as a worker leased it (`Schema.v11`).
    struct WebhookEventRow: Sendable {
        var id: Int64
        var eventId: UUID
        var type: WebhookEventType
        var conversation: UUID
        var message: UUID?
        var user: String?
        /// The event's own facts, as JSON text (`readAtMicros` of a read, `unreadCount` of a reminder).
        var details: String
        /// The body as first sent; nil before the first attempt.
        var payload: String?
        /// Including the attempt this lease is for.
        var attempts: Int
        var createdAt: Date
    }

    /// Turns the writing of webhook events on or off for every node (the triggers and statements read the flag).
    public func setWebhooksEnabled(_ enabled: Bool) async throws {
        let logger = logger
        try await write { connection in
            _ = try await connection.query(
                "UPDATE webhook_configuration SET enabled = \(enabled) WHERE enabled IS DISTINCT FROM \(enabled)",
                logger: logger
            )
        }
    }

    /// Returns once this node's (or another node's) migrations created the schema, checking every 100 ms: the
    /// outbox's services start with the server, before its migrations ran.
    func waitUntilMigrated() async {
        while !Task.isCancelled {
            if let version = try? await Migrations.currentVersion(on: client, logger: logger),
                version >= Migrations.latestVersion
            {
                return
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Leases up to `limit` events that are due: of each conversation only its oldest pending event, and only when
    /// no live lease holds it. Two workers never lease the same event: the update re-reads each row's lease under
    /// its row lock, and skips a row another worker leased since this statement's snapshot.
    func leaseWebhookEvents(limit: Int, for duration: Duration, lease: UUID) async throws -> [WebhookEventRow] {
        let milliseconds = duration.wholeMilliseconds
        let logger = logger
        return try await write { connection in
            let rows = try await connection.query(
                """
                WITH heads AS (
                    SELECT DISTINCT ON (conversation_id) id, next_attempt_at, leased_until
                    FROM webhook_outbox WHERE state = 'pending'
                    ORDER BY conversation_id, id
                ), due AS (
                    SELECT id FROM heads
                    WHERE next_attempt_at <= now() AND (leased_until IS NULL OR leased_until < now())
                    ORDER BY next_attempt_at, id LIMIT \(limit)
                )
                UPDATE webhook_outbox o
                SET leased_until = now() + \(milliseconds) * interval '1 millisecond', lease = \(lease),
                    attempts = o.attempts + 1
                FROM due
                WHERE o.id = due.id AND o.state = 'pending' AND (o.leased_until IS NULL OR o.leased_until < now())
                RETURNING o.id, o.event_id, o.event_type, o.conversation_id, o.message_id, o.user_id, o.details::text,
                          o.payload, o.attempts, o.created_at
                """,
                logger: logger
            )
            var leased: [WebhookEventRow] = []
            for try await row in rows {
                let columns = row.makeRandomAccess()
                guard let type = WebhookEventType(rawValue: try columns[2].decode(String.self)) else { continue }
                leased.append(
                    WebhookEventRow(
                        id: try columns[0].decode(Int64.self),
                        eventId: try columns[1].decode(UUID.self),
                        type: type,
                        conversation: try columns[3].decode(UUID.self),
                        message: try columns[4].decode(UUID?.self),
                        user: try columns[5].decode(String?.self),
                        details: try columns[6].decode(String.self),
                        payload: try columns[7].decode(String?.self),
                        attempts: try columns[8].decode(Int.self),
                        createdAt: try columns[9].decode(Date.self)
                    )
                )
            }
            return leased
        }
    }

    /// The receiver took the event. Recorded whoever holds the lease now: it was delivered.
    func webhookDelivered(_ id: Int64, payload: String) async throws {
        let logger = logger
        try await write { connection in
            _ = try await connection.query(
                """
                UPDATE webhook_outbox
                SET state = 'delivered', delivered_at = now(), finished_at = now(), leased_until = NULL, lease = NULL,
                    last_error = NULL, payload = coalesce(payload, \(payload))
                WHERE id = \(id) AND state = 'pending'
                """,
                logger: logger
            )
        }
    }

    /// An attempt failed: the event waits `backoff × 2^(attempts − 1)` (at most an hour) for the next, or is dead
    /// after `maxAttempts`. Only the holder of the lease records it; returns whether the event is now dead.
    @discardableResult
    func webhookFailed(
        _ id: Int64,
        lease: UUID,
        payload: String?,
        error: String,
        maxAttempts: Int,
        backoff: Duration
    ) async throws -> Bool {
        let milliseconds = backoff.wholeMilliseconds
        let logger = logger
        return try await write { connection in
            let rows = try await connection.query(
                """
                UPDATE webhook_outbox
                SET state = CASE WHEN attempts >= \(maxAttempts) THEN 'dead' ELSE 'pending' END,
                    finished_at = CASE WHEN attempts >= \(maxAttempts) THEN now() END,
                    next_attempt_at = now() + least(
                        \(milliseconds) * power(2, least(attempts - 1, 30)), 3600000) * interval '1 millisecond',
                    leased_until = NULL, lease = NULL, last_error = left(\(error), 500),
                    payload = coalesce(payload, \(payload))
                WHERE id = \(id) AND lease = \(lease) AND state = 'pending'
                RETURNING state = 'dead'
                """,
                logger: logger
            )
            for try await dead in rows.decode(Bool.self) { return dead }
            return false
        }
    }

    /// How long the oldest pending event has waited, in seconds (0 when none waits).
    func oldestPendingWebhookAge() async throws -> Double {
        let rows = try await client.query(
            """
            SELECT coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8
            FROM webhook_outbox WHERE state = 'pending'
            """,
            logger: logger
        )
        for try await age in rows.decode(Double.self) { return age }
        return 0
    }

    /// Deletes delivered and dead events finished before `age` ago, a bounded batch at a time; returns how many.
    func purgeWebhookEvents(finishedBefore age: Duration, batch: Int = 5_000) async throws -> Int {
        let seconds = age.wholeMilliseconds / 1_000
        let logger = logger
        return try await write { connection in
            let rows = try await connection.query(
                """
                WITH old AS (
                    SELECT id FROM webhook_outbox
                    WHERE state <> 'pending' AND finished_at < now() - \(seconds) * interval '1 second'
                    LIMIT \(batch)
                ), deleted AS (DELETE FROM webhook_outbox o USING old WHERE o.id = old.id RETURNING 1)
                SELECT count(*)::int8 FROM deleted
                """,
                logger: logger
            )
            for try await count in rows.decode(Int.self) { return count }
            return 0
        }
    }

    // MARK: The service key's view

    static let deliveryColumns = """
        event_id, event_type, state, attempts, created_at, next_attempt_at, delivered_at, last_error, conversation_id
        """

    /// The events in one state, newest first.
    func webhookEvents(state: WebhookState, limit: Int) async throws -> [WebhookDelivery] {
        let rows = try await client.query(
            """
            SELECT \(unescaped: Self.deliveryColumns) FROM webhook_outbox
            WHERE state = \(state.rawValue) ORDER BY id DESC LIMIT \(limit)
            """,
            logger: logger
        )
        var events: [WebhookDelivery] = []
        for try await row in rows { events.append(try Self.delivery(row.makeRandomAccess())) }
        return events
    }

    /// Makes a delivered or dead event pending again from its first attempt; a pending one is left as it is. Nil
    /// when there is no such event.
    func replayWebhookEvent(_ eventId: UUID) async throws -> WebhookDelivery? {
        let logger = logger
        return try await write { connection in
            let rows = try await connection.query(
                """
                WITH replayed AS (
                    UPDATE webhook_outbox
                    SET state = 'pending', attempts = 0, next_attempt_at = now(), leased_until = NULL, lease = NULL,
                        last_error = NULL, delivered_at = NULL, finished_at = NULL
                    WHERE event_id = \(eventId) AND state <> 'pending'
                    RETURNING \(unescaped: Self.deliveryColumns)
                )
                SELECT * FROM replayed
                UNION ALL
                SELECT \(unescaped: Self.deliveryColumns) FROM webhook_outbox
                WHERE event_id = \(eventId) AND state = 'pending'
                LIMIT 1
                """,
                logger: logger
            )
            for try await row in rows { return try Self.delivery(row.makeRandomAccess()) }
            return nil
        }
    }

    private static func delivery(_ columns: PostgresRandomAccessRow) throws -> WebhookDelivery {
        let state = try columns[2].decode(String.self)
        return WebhookDelivery(
            eventId: try columns[0].decode(UUID.self).lowercased,
            type: WebhookEventType(rawValue: try columns[1].decode(String.self)) ?? .messageCreated,
            state: WebhookState(rawValue: state) ?? .pending,
            attempts: try columns[3].decode(Int.self),
            createdAt: try columns[4].decode(Date.self),
            nextAttemptAt: state == "pending" ? try columns[5].decode(Date.self) : nil,
            deliveredAt: try columns[6].decode(Date?.self),
            lastError: try columns[7].decode(String?.self),
            conversationId: try columns[8].decode(UUID.self).lowercased
        )
    }
}
