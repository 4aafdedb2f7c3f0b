import Synchronization

@testable import EngineIO

/// An Engine.IO server whose sessions record what reaches their handler.
final class RecordingHandler: EngineServerHandler {
    final class Session: EngineConnectionHandler {
        let messages = Mutex<[EngineMessage]>([])
        let reasons = Mutex<[EngineCloseReason]>([])

        func received(_ messages: [EngineMessage]) {
            self.messages.withLock { $0 += messages }
        }

        func closed(_ reason: EngineCloseReason) {
            reasons.withLock { $0.append(reason) }
        }
    }

    let sessions = Mutex<[String: Session]>([:])

    func sessionOpened(_ connection: EngineConnection) -> any EngineConnectionHandler {
        let session = Session()
        sessions.withLock { $0[connection.id] = session }
        return session
    }

    func recorded(_ connection: EngineConnection) -> Session? {
        sessions.withLock { $0[connection.id] }
    }
}

extension EngineServer {
    static func recording(
        _ configure: (inout EngineConfiguration) -> Void = { _ in }
    ) -> (
        EngineServer, RecordingHandler
    ) {
        var configuration = EngineConfiguration()
        configure(&configuration)
        let handler = RecordingHandler()
        return (EngineServer(configuration: configuration, handler: handler), handler)
    }

    func open(_ transport: EngineTransport = .polling) throws -> EngineConnection {
        try openSession(transport: transport, handshake: EngineHandshake(headers: [:], query: [:])).0
    }
}
