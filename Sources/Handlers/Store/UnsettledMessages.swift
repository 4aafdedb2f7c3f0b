import Foundation
import Synchronization

/// Messages whose senders were told "not stored" although the statement's outcome was unknown (the connection
/// was lost during the commit and the database could not be asked afterwards). A retry with the same
/// `clientMessageId` that finds such a message stored takes it out and announces it, so the conversation
/// converges: the message is announced once. Bounded: the oldest entries go first.
final class UnsettledMessages: Sendable {
    static let capacity = 10_000

    private struct State {
        var ids: Set<UUID> = []
        var order: [UUID] = []
    }
    private let state = Mutex(State())

    func insert(_ id: UUID) {
        state.withLock { state in
            guard state.ids.insert(id).inserted else { return }
            state.order.append(id)
            if state.order.count > Self.capacity {
                state.ids.remove(state.order.removeFirst())
            }
        }
    }

    /// True when `id` was unsettled; it is settled from now on.
    func settle(_ id: UUID) -> Bool {
        state.withLock { state in
            guard state.ids.remove(id) != nil else { return false }
            state.order.removeAll { $0 == id }
            return true
        }
    }
}
