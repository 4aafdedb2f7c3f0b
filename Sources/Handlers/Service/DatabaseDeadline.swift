import NIOCore
import NIOPosix
import Synchronization

/// A time limit for one database call. The call runs in a task of its own that an event-loop timer cancels when
/// the limit passes; an event-loop timer costs a heap insertion on a thread that is running anyway, where a
/// sleeping task would wake a timer thread twice per call.
///
/// A cancelled call normally ends at once, or (a write that holds its connection) when PostgreSQL answers, which
/// `statement_timeout` bounds. A call that does neither within `grace` after the limit (a connection that was lost
/// without its waiters being told, seen when every backend was terminated at once) is abandoned: the caller is
/// answered `Expired`, and the task is left to end on its own.
enum DatabaseDeadline {
    /// The limit passed before the call finished.
    struct Expired: Error {}

    /// The caller's side of one call: answered once, by the work, or by the grace timer.
    private final class Call<T: Sendable>: Sendable {
        private struct State {
            var continuation: CheckedContinuation<T, any Error>?
            var task: Task<Void, Never>?
            var timers: [Scheduled<Void>] = []
            var expired = false
            var cancelled = false
        }
        private let state = Mutex(State())

        var isExpired: Bool { state.withLock { $0.expired } }

        func start(
            _ continuation: CheckedContinuation<T, any Error>,
            timeout: Duration,
            grace: Duration,
            work: @escaping @Sendable () async throws -> T
        ) {
            state.withLock { $0.continuation = continuation }
            let task = Task {
                do { self.answer(.success(try await work())) } catch { self.answer(.failure(error)) }
            }
            let limit = MultiThreadedEventLoopGroup.singleton.any().scheduleTask(in: TimeAmount(timeout)) {
                self.expire(grace: grace)
            }
            let (cancelNow, answered) = state.withLock { state -> (Bool, Bool) in
                state.task = task
                let answered = state.continuation == nil
                if !answered { state.timers.append(limit) }
                return (state.cancelled || state.expired, answered)
            }
            if answered { limit.cancel() }
            if cancelNow { task.cancel() }
        }

        /// The limit passed: the work is cancelled, and the grace timer armed (only now, so that a call that ends
        /// in time costs one timer).
        private func expire(grace: Duration) {
            let abandon = MultiThreadedEventLoopGroup.singleton.any().scheduleTask(in: TimeAmount(grace)) {
                self.answer(.failure(Expired()))
            }
            let (task, answered) = state.withLock { state -> (Task<Void, Never>?, Bool) in
                state.expired = true
                let answered = state.continuation == nil
                if !answered { state.timers.append(abandon) }
                return (state.task, answered)
            }
            if answered { abandon.cancel() }
            task?.cancel()
        }

        func cancel() {
            let task = state.withLock { state -> Task<Void, Never>? in
                state.cancelled = true
                return state.task
            }
            task?.cancel()
        }

        private func answer(_ result: Result<T, any Error>) {
            let taken = state.withLock { state -> (CheckedContinuation<T, any Error>, [Scheduled<Void>])? in
                guard let continuation = state.continuation else { return nil }
                state.continuation = nil
                defer { state.timers = [] }
                return (continuation, state.timers)
            }
            guard let (continuation, timers) = taken else { return }
            for timer in timers { timer.cancel() }
            continuation.resume(with: result)
        }
    }

    /// Runs `work` with a time limit.
    ///
    /// - Parameters:
    ///   - timeout: when the call is cancelled.
    ///   - grace: how much longer the caller waits for a cancelled call to end before it is answered without it.
    ///   - work: the call.
    /// - Returns: the call's result.
    /// - Throws: `Expired` when the limit passed first, or the call's error.
    static func run<T: Sendable>(
        within timeout: Duration,
        grace: Duration = .zero,
        _ work: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let call = Call<T>()
        do {
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { continuation in
                    call.start(continuation, timeout: timeout, grace: grace, work: work)
                }
            } onCancel: {
                call.cancel()
            }
        } catch {
            if call.isExpired || error is Expired { throw Expired() }
            throw error
        }
    }
}
