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
    /// and less work per message; at half the maximum rate 2 kept p99 ack latency near 11 ms where 4 gave 17–44 ms,
    /// and raised the maximum (see BENCHMARKS.md).
    static let maxInFlight = 2
    /// Messages per statement.
    static let maxBatch = 128

    private struct Waiting {
        var item: Item
        /// Resumed with the stored row, or nil when the message was not stored (its `clientMessageId` was used).
        var continuation: CheckedContinuation<Stored?, any Error>
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
        try await withCheckedThrowingContinuation { continuation in
            let batch = state.withLock { state -> [Waiting]? in
                state.waiting.append(Waiting(item: item, continuation: continuation))
                guard state.inFlight < Self.maxInFlight else { return nil }
                state.inFlight += 1
                return take(&state)
            }
            if let batch { Task { await self.write(batch) } }
        }
    }

    private func take(_ state: inout State) -> [Waiting] {
        let count = min(state.waiting.count, Self.maxBatch)
        defer { state.waiting.removeFirst(count) }
        return Array(state.waiting.prefix(count))
    }

    /// Writes batches until nothing is waiting, then gives up its slot.
    private func write(_ first: [Waiting]) async {
        var batch = first
        while true {
            await store(batch)
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
            for waiting in batch { waiting.continuation.resume(returning: stored[waiting.item.id]) }
        } catch  where batch.count > 1 {
            // One message must not fail the others: on a failed batch each is written again alone.
            for waiting in batch { await store([waiting]) }
        } catch {
            batch[0].continuation.resume(throwing: error)
        }
    }
}
