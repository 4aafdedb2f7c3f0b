import Foundation
import Logging
import PostgresNIO
import Synchronization

/// Group commit for sends: messages that arrive while earlier ones are being written go to the database together,
/// as one statement and one commit. A send that finds a free slot is written at once, alone, so batching adds no
/// wait when the server is not busy; under load the batches grow and each commit carries many messages.
final class InsertBatcher: Sendable {
    typealias Stored = (id: UUID, sentAt: Date, firstName: String, lastName: String, avatar: String?)
    typealias Item = PreparedStatements.InsertMessages.Item

    /// Statements in flight at once, each on its own pooled connection. Fewer make bigger batches, fewer WAL flushes
    /// and less work per message: one gave the lowest ack latency and the highest rate (optimisation record,
    /// steps 5, 8 and 12, in `Benchmarks/optimizations.md`).
    static let maxInFlight = 1
    /// Messages per statement.
    static let maxBatch = 128

    private struct Waiting {
        var item: Item
        var ticket: Ticket
    }

    /// A caller's place in line: answered once, with the stored row, nil when the message was not stored (its
    /// `clientMessageId` was used, or its contract closed), or an error. A caller whose task is cancelled (its
    /// database deadline passed) before a statement holding its message got a connection is answered at once and its
    /// message is not written; once the statement has its connection the caller is answered with the statement's
    /// outcome, however long it takes (the server's `statement_timeout` bounds it), so that an error means "not
    /// stored" and a success means "stored".
    final class Ticket: Sendable {
        private struct State {
            var continuation: CheckedContinuation<Stored?, any Error>?
            var answered = false
            var claimed = false
        }
        private let state = Mutex(State())

        /// Parks the caller; false when it was cancelled before (then it has been answered).
        func park(_ continuation: CheckedContinuation<Stored?, any Error>) -> Bool {
            let cancelled = state.withLock { state -> Bool in
                guard !state.answered else { return true }
                state.continuation = continuation
                return false
            }
            if cancelled { continuation.resume(throwing: CancellationError()) }
            return !cancelled
        }

        var isAnswered: Bool { state.withLock { $0.answered } }

        /// Called when a statement with this message got its connection: true when the message is to be written
        /// (its caller still waits, and from now on waits for the outcome).
        func claim() -> Bool {
            state.withLock { state in
                guard !state.answered else { return false }
                state.claimed = true
                return true
            }
        }

        /// The caller was cancelled: answered now unless a statement already carries the message.
        func withdraw() {
            let continuation = state.withLock { state -> CheckedContinuation<Stored?, any Error>?? in
                guard !state.answered, !state.claimed else { return nil }
                state.answered = true
                defer { state.continuation = nil }
                return .some(state.continuation)
            }
            if let continuation { continuation?.resume(throwing: CancellationError()) }
        }

        func answer(_ result: Result<Stored?, any Error>) {
            let continuation = state.withLock { state -> CheckedContinuation<Stored?, any Error>? in
                guard !state.answered else { return nil }
                state.answered = true
                defer { state.continuation = nil }
                return state.continuation
            }
            continuation?.resume(with: result)
        }
    }

    private struct State {
        var waiting: [Waiting] = []
        var inFlight = 0
    }

    private let client: PostgresClient
    private let pendingSearch: PendingSearch
    private let logger: Logger
    private let state = Mutex(State())
    /// Messages answered "not stored" whose outcome was unknown.
    let unsettled = UnsettledMessages()

    init(client: PostgresClient, pendingSearch: PendingSearch, logger: Logger) {
        self.client = client
        self.pendingSearch = pendingSearch
        self.logger = logger
    }

    /// Stores one message with whatever else is waiting; nil when it was a duplicate and nothing was stored.
    func insert(_ item: Item) async throws -> Stored? {
        let ticket = Ticket()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                guard ticket.park(continuation) else { return }
                let batch = state.withLock { state -> [Waiting]? in
                    state.waiting.append(Waiting(item: item, ticket: ticket))
                    guard state.inFlight < Self.maxInFlight else { return nil }
                    state.inFlight += 1
                    return take(&state)
                }
                if let batch { Task { await self.write(batch) } }
            }
        } onCancel: {
            ticket.withdraw()
        }
    }

    /// The next batch: the oldest waiting messages whose callers still wait (possibly none).
    private func take(_ state: inout State) -> [Waiting] {
        let count = min(state.waiting.count, Self.maxBatch)
        defer { state.waiting.removeFirst(count) }
        return state.waiting.prefix(count).filter { !$0.ticket.isAnswered }
    }

    /// Writes batches until nothing is waiting, then gives up its slot.
    private func write(_ first: [Waiting]) async {
        var batch = first
        while true {
            if !batch.isEmpty { await store(batch) }
            let next = state.withLock { state -> [Waiting]? in
                guard !state.waiting.isEmpty else {
                    state.inFlight -= 1
                    return nil
                }
                return take(&state)
            }
            guard let next else { return }
            batch = next
        }
    }

    private func store(_ batch: [Waiting]) async {
        var claimed: [Waiting] = []
        let sentAt = Date()
        do {
            let rows = try await client.withConnection { connection in
                claimed = batch.filter { $0.ticket.claim() }
                return try await self.execute(claimed, sentAt: sentAt, on: connection)
            }
            if !rows.isEmpty { pendingSearch.added() }
            for waiting in claimed { waiting.ticket.answer(.success(rows[waiting.item.id])) }
        } catch {
            await settle(claimed, sentAt: sentAt, after: error)
        }
    }

    private func execute(
        _ batch: [Waiting],
        sentAt: Date,
        on connection: PostgresConnection
    ) async throws -> [UUID: Stored] {
        var stored: [UUID: Stored] = [:]
        guard !batch.isEmpty else { return stored }
        let rows =
            batch.count == 1
            ? try await connection.execute(
                PreparedStatements.InsertMessage(item: batch[0].item, sentAt: sentAt),
                logger: logger
            )
            : try await connection.execute(
                PreparedStatements.InsertMessages(items: batch.map(\.item), sentAt: sentAt),
                logger: logger
            )
        for try await (minted, id, sentAt, firstName, lastName, avatar) in rows {
            stored[minted] = (id, sentAt, firstName, lastName, avatar)
        }
        return stored
    }

    /// After a failed statement: a lost connection leaves its commit unknown, so the messages are looked up first
    /// and those found are answered as stored. Of the rest, a batch's messages are written again one by one (one
    /// message must not fail the others); a lone message gets the error. When even the look-up fails, the callers
    /// get the error and their messages are remembered as unsettled, so that a retry that finds one announces it.
    private func settle(_ claimed: [Waiting], sentAt: Date, after error: any Error) async {
        guard !claimed.isEmpty else { return }
        let found: [UUID: Stored]
        do {
            found = try await lookUp(claimed.map(\.item), sentAt: sentAt)
        } catch {
            for waiting in claimed {
                unsettled.insert(waiting.item.id)
                waiting.ticket.answer(.failure(error))
            }
            return
        }
        let missing = claimed.filter { found[$0.item.id] == nil }
        for waiting in claimed where found[waiting.item.id] != nil {
            waiting.ticket.answer(.success(found[waiting.item.id]))
        }
        if missing.count > 1 || claimed.count > 1 {
            for waiting in missing { await store([waiting]) }
        } else {
            for waiting in missing { waiting.ticket.answer(.failure(error)) }
        }
    }

    /// The messages of a statement whose outcome is unknown, found by their minted id or, where the statement
    /// gave one a new id, by conversation, sender, time and content; keyed by minted id.
    private func lookUp(_ items: [Item], sentAt: Date) async throws -> [UUID: Stored] {
        let rows = try await client.query(
            """
            SELECT DISTINCT ON (i.id) i.id, m.id, m.sent_at, u.first_name, u.last_name, u.avatar
            FROM unnest(\(items.map(\.id)), \(items.map(\.message.conversationId)), \(items.map(\.message.senderId)),
                        \(items.map(\.message.content))) AS i (id, conversation_id, sender_id, content)
            JOIN messages m ON m.id = i.id OR (m.conversation_id = i.conversation_id AND m.sender_id = i.sender_id
                                               AND m.sent_at = \(sentAt) AND m.content = i.content)
            JOIN users u ON u.id = m.sender_id
            ORDER BY i.id, m.id = i.id DESC
            """,
            logger: logger
        )
        var found: [UUID: Stored] = [:]
        for try await (minted, id, time, firstName, lastName, avatar) in rows.decode(
            (UUID, UUID, Date, String, String, String?).self
        ) {
            found[minted] = (id, time, firstName, lastName, avatar)
        }
        return found
    }
}
