import NIOCore
import Synchronization

/// A task executor that runs jobs on one NIO event loop.
///
/// Tasks started with it as their executor preference run on the loop that serves their connection: a handler that
/// reads from a channel and writes back to it never leaves that thread, whatever the process's global executor is.
public final class EventLoopExecutor: TaskExecutor, Sendable {
    public let eventLoop: any EventLoop

    private init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Runs `job` on the event loop, after what is already queued there.
    /// - Parameter job: the task step to run.
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }

    private static let executors = Mutex<[ObjectIdentifier: EventLoopExecutor]>([:])

    /// The executor of `eventLoop`: one per loop for the life of the process.
    ///
    /// - Parameter eventLoop: the loop whose executor is wanted.
    public static func of(_ eventLoop: any EventLoop) -> EventLoopExecutor {
        executors.withLock { executors in
            let key = ObjectIdentifier(eventLoop)
            if let existing = executors[key] { return existing }
            let executor = EventLoopExecutor(eventLoop: eventLoop)
            executors[key] = executor
            return executor
        }
    }
}
