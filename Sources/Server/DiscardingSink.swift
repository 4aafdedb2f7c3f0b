import APIRuntime
import Foundation

/// An event sink for commands that run without sockets (seeding): there is nobody to deliver to.
struct DiscardingSink: EventSink {
    func emit(event: String, argument: Data, to target: EventTarget, replayable: Bool) async throws {}
}
