import APIRuntime
import Foundation
import SocketIO

/// Generated emitters deliver through the namespace's adapter, so other nodes get the events too.
public struct NamespaceEventSink: EventSink {
    let namespace: Namespace

    public init(namespace: Namespace) {
        self.namespace = namespace
    }

    public func emit(event: String, argument: Data, to target: EventTarget, replayable: Bool) async throws {
        try await namespace.emit(
            event,
            [try JSONText(validating: String(decoding: argument, as: UTF8.self))],
            to: target.rooms,
            except: target.exceptRooms,
            recoverable: replayable
        )
    }
}
