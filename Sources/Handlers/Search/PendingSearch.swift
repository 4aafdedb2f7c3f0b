import Synchronization

/// Whether this node stored messages whose search vectors are not written yet: the send path marks it after each
/// commit, and `SearchIndexer` takes the mark. The queue itself is in PostgreSQL (`search_pending`).
final class PendingSearch: Sendable {
    private let waiting = Atomic<Bool>(false)

    func added() {
        waiting.store(true, ordering: .relaxed)
    }

    /// Whether anything was added since the last call.
    func take() -> Bool {
        waiting.exchange(false, ordering: .relaxed)
    }
}
