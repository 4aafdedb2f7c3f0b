import NIOCore
import NIOPosix
import Synchronization

/// A time limit for one database call. The call runs in a task of its own that an event-loop timer cancels when
/// the limit passes; an event-loop timer costs a heap insertion on a thread that is running anyway, where a
/// sleeping task would wake a timer thread twice per call.
enum DatabaseDeadline {
    /// The limit passed before the call finished.
    struct Expired: Error {}

    private final class Flag: Sendable {
        private let fired = Mutex(false)
        func set() { fired.withLock { $0 = true } }
        var isSet: Bool { fired.withLock { $0 } }
    }

    static func run<T: Sendable>(
        within timeout: Duration,
        _ work: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let task = Task { try await work() }
        let expired = Flag()
        let timer = MultiThreadedEventLoopGroup.singleton.any().scheduleTask(in: TimeAmount(timeout)) {
            expired.set()
            task.cancel()
        }
        defer { timer.cancel() }
        do {
            return try await withTaskCancellationHandler {
                try await task.value
            } onCancel: {
                task.cancel()
            }
        } catch {
            if expired.isSet { throw Expired() }
            throw error
        }
    }
}
