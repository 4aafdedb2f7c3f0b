import Foundation
import Logging
import PostgresNIO
import Synchronization

/// Group commit for sends: messages that arrive while earlier ones are being written go to the database together,
/// as one statement and one commit. A send that finds a free slot is written at once, alone, so batching adds no
/// wait when the server is not busy; under load the batches grow and each commit carries many messages.
final class InsertBatcher: Sendable {
    typealias Stored = (sentAt: Date, firstName: String, lastName: String, avatar: String?)
    typealias Item = PreparedStatements.InsertMessages.Item

    /// Statements in flight at once, each on its own pooled connection. Fewer make bigger batches, fewer WAL flushes
    /// and less work per message: with one, p99 ack latency at half the maximum rate was 7–10 ms against 11–12 ms
    /// with two and 17–44 ms with four, and the maximum was highest (see BENCHMARKS.md).
    static let maxInFlight = 1
    /// Messages per statement.
    static let maxBatch = 128

    private struct Waiting {
        var item: Item
        var ticket: Ticket
    }

    /// A caller's place in line: answered once, with the stored row, nil when the message was not stored (its
    /// `clientMessageId` was used, or its contract closed), or an error. A caller whose task is cancelled (its
    /// database deadline passed) is answered at once; a message of a cancelled caller that no statement took yet
    /// is not written, one already in a statement may still be (a retry with its `clientMessageId` finds it).
    final class Ticket: Sendable {
        private let state = Mutex<(continuation: CheckedContinuation<Stored?, any Error>?, answered: Bool)>(
            (nil, false)
        )

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
    private let logger: Logger
    private let state = Mutex(State())

    init(client: PostgresClient, logger: Logger) {
        self.client = client
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
            ticket.answer(.failure(CancellationError()))
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
        do {
            var stored: [UUID: Stored] = [:]
            let rows =
                batch.count == 1
                ? try await client.execute(
                    PreparedStatements.InsertMessage(item: batch[0].item, sentAt: Date()),
                    logger: logger
                )
                : try await client.execute(
                    PreparedStatements.InsertMessages(items: batch.map(\.item), sentAt: Date()),
                    logger: logger
                )
            for try await (id, sentAt, firstName, lastName, avatar) in rows {
                stored[id] = (sentAt, firstName, lastName, avatar)
            }
            for waiting in batch { waiting.ticket.answer(.success(stored[waiting.item.id])) }
        } catch  where batch.count > 1 {
            // One message must not fail the others: on a failed batch each is written again alone.
            for waiting in batch where !waiting.ticket.isAnswered { await store([waiting]) }
        } catch {
            batch[0].ticket.answer(.failure(error))
        }
    }
}
