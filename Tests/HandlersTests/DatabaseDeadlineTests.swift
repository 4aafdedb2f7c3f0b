import Synchronization
import Testing

@testable import Handlers

/// A database call's time limit: results pass through, a cancelled call ends as `Expired`, and a call that ignores
/// its cancellation is answered without it once the grace has passed.
@Suite struct DatabaseDeadlineTests {
    /// Set when a call that ignored its cancellation finally ends.
    final class Finished: Sendable {
        private let value = Mutex(false)
        func set() { value.withLock { $0 = true } }
        var isSet: Bool { value.withLock { $0 } }
    }

    /// Long enough for a call that is only waiting to be scheduled: the limit's timer runs on an event loop, while
    /// the call's task waits for one of the cooperative pool's threads, which two hundred tests running at once can
    /// keep busy for seconds.
    let generous = Duration.seconds(120)

    @Test func aResultInTimePassesThrough() async throws {
        let value = try await DatabaseDeadline.run(within: generous) { 42 }
        #expect(value == 42)
    }

    @Test func anErrorInTimePassesThrough() async {
        struct Refused: Error {}
        await #expect(throws: Refused.self) {
            try await DatabaseDeadline.run(within: generous) { () async throws -> Int in throw Refused() }
        }
    }

    @Test func aCancelledCallEndsAsExpired() async {
        await #expect(throws: DatabaseDeadline.Expired.self) {
            try await DatabaseDeadline.run(within: .milliseconds(20), grace: .seconds(30)) { () async throws -> Int in
                try await Task.sleep(for: .seconds(30))
                return 1
            }
        }
    }

    @Test func aCallThatIgnoresItsCancellationIsAbandonedAfterTheGrace() async {
        let finished = Finished()
        await #expect(throws: DatabaseDeadline.Expired.self) {
            try await DatabaseDeadline.run(within: .milliseconds(20), grace: .milliseconds(50)) { () async -> Int in
                // Not cancellable: as a query whose connection was lost without its waiters being told.
                await withCheckedContinuation { continuation in
                    Task.detached {
                        try? await Task.sleep(for: .seconds(3))
                        continuation.resume()
                    }
                }
                finished.set()
                return 1
            }
        }
        #expect(!finished.isSet)
    }

    @Test func aCallerCancelledFromOutsideIsAnswered() async {
        let caller = Task {
            try await DatabaseDeadline.run(within: .seconds(30)) { () async throws -> Int in
                try await Task.sleep(for: .seconds(30))
                return 1
            }
        }
        caller.cancel()
        await #expect(throws: CancellationError.self) { try await caller.value }
    }
}
