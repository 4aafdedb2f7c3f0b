import Logging
import Metrics
import ServiceLifecycle

/// Writes the search vectors of new messages after their sends committed (`Schema.v10`): a send's statement only
/// queues its ids, and this node's indexer, `delay` after a send, writes the vectors of everything queued in
/// batches, so many sends share one statement. Every `fallback` it also looks at the queue without being asked: a
/// node that died after its commits leaves its queue rows to whichever node looks next. Several nodes' indexers
/// take disjoint rows (`SKIP LOCKED`).
public final class SearchIndexer: Service, Sendable {
    let store: MessageStore
    let delay: Duration
    let fallback: Duration
    let logger: Logger
    /// Queue rows taken per statement.
    static let batch = 1000
    private let indexed = Counter(label: "messaging_search_indexed_total")
    private let failures = Counter(label: "messaging_search_index_failures_total")

    /// - Parameters:
    ///   - store: the message store, whose sends mark what is pending.
    ///   - delay: how long after a send its vector is written (`SEARCH_INDEX_DELAY_MS`).
    ///   - fallback: how often the queue is read when this node sent nothing (never more often than `delay`).
    ///   - logger: for failures.
    public init(store: MessageStore, delay: Duration, fallback: Duration = .seconds(2), logger: Logger) {
        self.store = store
        self.delay = delay
        self.fallback = max(fallback, delay)
        self.logger = logger
    }

    /// Indexes until graceful shutdown, then once more, so that a node leaving in a deploy leaves no queue behind.
    public func run() async throws {
        var sinceLastLook = Duration.zero
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            // Only the wait ends early at shutdown: a pass under way finishes.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.delay) }
            sinceLastLook += delay
            guard store.pendingSearch.take() || sinceLastLook >= fallback else { continue }
            sinceLastLook = .zero
            await drain()
        }
        await drain()
    }

    /// Writes batches until the queue has no more than a partial one.
    func drain() async {
        do {
            while true {
                let taken = try await store.indexPendingSearch(batch: Self.batch)
                if taken > 0 { indexed.increment(by: Int64(taken)) }
                if taken < Self.batch { return }
            }
        } catch {
            failures.increment()
            logger.warning(
                "Writing search vectors failed; they are written at the next pass",
                metadata: ["error": "\(String(reflecting: type(of: error)))"]
            )
        }
    }
}
