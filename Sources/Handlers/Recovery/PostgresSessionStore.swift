import APIRuntime
import Foundation
import Logging
import Metrics
import PostgresNIO
import ServiceLifecycle
import SocketIO
import Synchronization

/// Connection state recovery kept in PostgreSQL, so that a client gets its session back after its node restarts
/// (SIGTERM or `kill -9`) or when it comes back on another node of the cluster.
///
/// Broadcast offsets are version-7 UUIDs minted by the emitting node (their text order is their time order).
/// Writes are batched: they wait at most `flushDelay` and go out in a few statements. A recovery first flushes this
/// node's pending writes that it depends on (the session's own changes, recorded broadcasts), then reads the session
/// and the missed broadcasts. Each node records a heartbeat; a session
/// whose node stopped without saying so (`kill -9`) counts as disconnected since that node's last heartbeat. Rows
/// older than the window are deleted periodically. Run the store as a service after the Socket.IO server in the
/// shutdown order, so that the disconnections of a shutdown are written before the pool closes.
public final class PostgresSessionStore: SessionStore, Service {
    let client: PostgresClient
    let logger: Logger
    /// This process (a new one for each start, whatever the node's name).
    let node: String
    let window: Duration
    static let flushDelay = Duration.milliseconds(2)
    static let heartbeat = Duration.seconds(5)
    static let cleanupInterval = Duration.seconds(30)
    /// A recovery that missed more broadcasts than this fails (the client catches up over REST instead).
    static let maxMissed = 1_000
    /// How long a recovery's reads may take; a stalled database fails the recovery instead of holding the CONNECT.
    static let readTimeout = Duration.seconds(4)

    private let pending = Mutex(RecoveryWrites())
    private let flushing = Mutex<Task<Void, Never>?>(nil)
    private let kicks: AsyncStream<Void>
    private let kick: AsyncStream<Void>.Continuation
    private let droppedCounter = Counter(label: "socketio_recovery_writes_dropped_total")
    private let sessionsGauge = Gauge(label: "socketio_recovery_sessions")
    private let eventsGauge = Gauge(label: "socketio_recovery_events")

    public init(client: PostgresClient, logger: Logger, window: Duration) {
        self.client = client
        self.logger = logger
        self.node = UUIDv7.make().lowercased
        self.window = window
        (kicks, kick) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    // MARK: SessionStore

    public func nextOffset() -> String { UUIDv7.make().lowercased }

    public func record(_ message: BroadcastMessage, offset: String) {
        pending.withLock { $0.record(message, offset: offset) }
        kick.yield()
    }

    public func started(_ session: RecoverableSession) { change { $0.started(session) } }
    public func roomsChanged(pid: String, rooms: [String]) { change { $0.roomsChanged(pid: pid, rooms: rooms) } }
    public func disconnected(pid: String) { change { $0.disconnected(pid: pid) } }
    public func ended(pid: String) { change { $0.ended(pid: pid) } }

    private func change(_ body: (inout RecoveryWrites) -> Void) {
        pending.withLock { writes in body(&writes) }
        kick.yield()
    }

    public func session(
        pid: String,
        owner: String?,
        window: Duration
    ) async throws(RecoveryFailure) -> RecoverableSession {
        let seconds = Double(window.components.seconds) + Double(window.components.attoseconds) / 1e18
        let found: (RecoverableSession, Bool)?
        do {
            // Only this session's own unwritten changes matter here (a storm of recoveries must not queue behind
            // each other's writes).
            if pending.withLock({ $0.sessions[pid] != nil }) { await flush() }
            found = try await DatabaseDeadline.run(within: Self.readTimeout) { [client, logger] in
                let rows = try await client.query(
                    """
                    SELECT s.socket_id, s.namespace, s.owner, s.rooms, s.start_offset,
                           coalesce(s.disconnected_at, n.seen_at, s.updated_at) > now() - make_interval(secs => \(seconds))
                    FROM socket_sessions s LEFT JOIN socket_nodes n ON n.node = s.node
                    WHERE s.pid = \(pid)
                    """,
                    logger: logger
                )
                var result: (RecoverableSession, Bool)?
                for try await (socketId, namespace, storedOwner, rooms, startOffset, recent) in rows.decode(
                    (String, String, String?, [String], String, Bool).self
                ) {
                    let session = RecoverableSession(
                        pid: pid,
                        socketId: socketId,
                        namespace: namespace,
                        owner: storedOwner,
                        rooms: rooms,
                        startOffset: startOffset
                    )
                    result = (session, recent)
                }
                return result
            }
        } catch {
            logger.warning(
                "Recovery: session lookup failed",
                metadata: ["error": "\(String(reflecting: type(of: error)))"]
            )
            throw .storeUnavailable
        }
        guard let (session, recent) = found else { throw .unknownSession }
        guard session.owner == owner else { throw .otherOwner }
        guard recent else { throw .expired }
        return session
    }

    public func missedPackets(
        for session: RecoverableSession,
        after offset: String?
    ) async throws(RecoveryFailure) -> [String] {
        var packets: [String] = []
        do {
            // Broadcasts this node recorded but has not written yet must be in the replay.
            if pending.withLock({ !$0.events.isEmpty }) { await flush() }
            let after = offset ?? session.startOffset
            packets = try await DatabaseDeadline.run(within: Self.readTimeout) { [client, logger] in
                let rows = try await client.query(
                    """
                    SELECT packet FROM socket_events
                    WHERE namespace = \(session.namespace) AND event_offset > \(after)
                      AND rooms && \(session.rooms) AND NOT (except_rooms && \(session.rooms))
                    ORDER BY event_offset
                    LIMIT \(Self.maxMissed + 1)
                    """,
                    logger: logger
                )
                var packets: [String] = []
                for try await packet in rows.decode(String.self) { packets.append(packet) }
                return packets
            }
        } catch {
            logger.warning("Recovery: replay failed", metadata: ["error": "\(String(reflecting: type(of: error)))"])
            throw .storeUnavailable
        }
        guard packets.count <= Self.maxMissed else { throw .tooManyMissed }
        return packets
    }

    // MARK: Service

    /// Flushes writes as they come, beats the heartbeat, cleans up; on graceful shutdown flushes what is left.
    public func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.heartbeatLoop() }
            group.addTask {
                for await _ in self.kicks {
                    try? await Task.sleep(for: Self.flushDelay)
                    await self.flush()
                }
            }
            try? await gracefulShutdown()
            group.cancelAll()
        }
        kick.finish()
        await flush()
        _ = try? await client.query("DELETE FROM socket_nodes WHERE node = \(node)", logger: logger)
    }

    private func heartbeatLoop() async {
        var sinceCleanup = Duration.zero
        while !Task.isCancelled {
            do {
                try await client.query(
                    """
                    INSERT INTO socket_nodes (node, seen_at) VALUES (\(node), now())
                    ON CONFLICT (node) DO UPDATE SET seen_at = now()
                    """,
                    logger: logger
                )
                if sinceCleanup >= Self.cleanupInterval || sinceCleanup == .zero {
                    try await cleanUp()
                    sinceCleanup = .zero
                }
            } catch {
                logger.debug("Recovery heartbeat failed", metadata: ["error": "\(String(reflecting: type(of: error)))"])
            }
            try? await Task.sleep(for: Self.heartbeat)
            sinceCleanup += Self.heartbeat
        }
    }

    /// Deletes what no recovery can use any more, and reports the sizes.
    func cleanUp() async throws {
        let seconds = Double(window.components.seconds) + 10
        let oldest = UUIDv7.earliest(at: Date(timeIntervalSinceNow: -seconds)).lowercased
        try await client.query("DELETE FROM socket_events WHERE event_offset < \(oldest)", logger: logger)
        try await client.query(
            """
            DELETE FROM socket_sessions s USING (
                SELECT s.pid FROM socket_sessions s LEFT JOIN socket_nodes n ON n.node = s.node
                WHERE coalesce(s.disconnected_at, n.seen_at, s.updated_at) < now() - make_interval(secs => \(seconds))
            ) old WHERE s.pid = old.pid
            """,
            logger: logger
        )
        try await client.query(
            "DELETE FROM socket_nodes WHERE seen_at < now() - make_interval(secs => \(seconds * 2))",
            logger: logger
        )
        let rows = try await client.query(
            """
            SELECT (SELECT count(*) FROM socket_sessions),
                   (SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE relname = 'socket_events')
            """,
            logger: logger
        )
        for try await (sessions, events) in rows.decode((Int, Int).self) {
            sessionsGauge.record(sessions)
            eventsGauge.record(events)
        }
    }

    // MARK: Writing

    /// Writes everything pending, after any flush already running (flushes never overtake each other).
    func flush() async {
        let task = flushing.withLock { current -> Task<Void, Never> in
            let previous = current
            let next = Task {
                await previous?.value
                await self.writePending()
            }
            current = next
            return next
        }
        await task.value
    }

    private func writePending() async {
        let writes = pending.withLock { $0.take() }
        guard !writes.isEmpty else { return }
        if writes.droppedEvents > 0 { droppedCounter.increment(by: writes.droppedEvents) }
        do {
            try await write(writes)
        } catch {
            logger.warning(
                "Recovery writes failed; kept for the next flush",
                metadata: ["error": "\(String(reflecting: type(of: error)))"]
            )
            pending.withLock { $0.restore(writes) }
        }
    }

    private func write(_ writes: RecoveryWrites) async throws {
        if !writes.events.isEmpty { try await insert(events: writes.events) }
        var upserts: [(RecoverableSession, Bool)] = []
        var updates: [(pid: String, rooms: String, disconnected: Bool)] = []
        var deletes: [String] = []
        for (pid, change) in writes.sessions {
            switch change {
            case .upsert(let session, let disconnected): upserts.append((session, disconnected))
            case .update(let rooms, let disconnected): updates.append((pid, rooms.map(Self.json) ?? "", disconnected))
            case .delete: deletes.append(pid)
            }
        }
        if !upserts.isEmpty { try await upsert(sessions: upserts) }
        if !updates.isEmpty { try await update(sessions: updates) }
        if !deletes.isEmpty {
            try await client.query("DELETE FROM socket_sessions WHERE pid = ANY(\(deletes))", logger: logger)
        }
    }

    private func insert(events: [RecoveryWrites.Event]) async throws {
        let statement = RecoveryStatements.InsertEvents(
            offsets: events.map(\.offset),
            namespaces: events.map(\.message.namespace),
            rooms: events.map { Self.json($0.message.rooms) },
            exceptRooms: events.map { Self.json($0.message.exceptRooms) },
            packets: events.map(\.message.packet)
        )
        for try await _ in try await client.execute(statement, logger: logger) {}
    }

    /// New or replaced sessions, each with whether it is disconnected.
    private func upsert(sessions upserts: [(RecoverableSession, Bool)]) async throws {
        let sessions = upserts.map(\.0)
        try await client.query(
            """
            INSERT INTO socket_sessions (pid, socket_id, namespace, owner, rooms, start_offset, node, disconnected_at)
            SELECT pid, sid, ns, NULLIF(owner, ''), ARRAY(SELECT jsonb_array_elements_text(r::jsonb)), so, \(node),
                   CASE WHEN d THEN now() END
            FROM unnest(\(sessions.map(\.pid)), \(sessions.map(\.socketId)), \(sessions.map(\.namespace)),
                        \(sessions.map { $0.owner ?? "" }), \(sessions.map { Self.json($0.rooms) }),
                        \(sessions.map(\.startOffset)), \(upserts.map(\.1))) AS t (pid, sid, ns, owner, r, so, d)
            ON CONFLICT (pid) DO UPDATE SET socket_id = excluded.socket_id, namespace = excluded.namespace,
                owner = excluded.owner, rooms = excluded.rooms, start_offset = excluded.start_offset,
                node = excluded.node, disconnected_at = excluded.disconnected_at, updated_at = now()
            """,
            logger: logger
        )
    }

    /// Rooms (as JSON; empty: unchanged) and disconnections of stored sessions.
    private func update(sessions updates: [(pid: String, rooms: String, disconnected: Bool)]) async throws {
        try await client.query(
            """
            UPDATE socket_sessions s
            SET rooms = CASE WHEN t.r = '' THEN s.rooms ELSE ARRAY(SELECT jsonb_array_elements_text(t.r::jsonb)) END,
                disconnected_at = CASE WHEN t.d THEN now() ELSE s.disconnected_at END, updated_at = now()
            FROM unnest(\(updates.map(\.pid)), \(updates.map(\.rooms)), \(updates.map(\.disconnected))) AS t (pid, r, d)
            WHERE s.pid = t.pid
            """,
            logger: logger
        )
    }

    static func json(_ rooms: [String]) -> String {
        String(decoding: JSONCoding.encode(rooms), as: UTF8.self)
    }
}
