@testable import EngineIO
@testable import SocketIO

/// Sessions driven without sockets: the engine's own entry points, as its transports call them.
extension SocketServer {
    /// Opens a polling session; returns it and its Socket.IO client.
    func openTestSession() throws -> (EngineConnection, SocketClient) {
        let (connection, _) = try engine.openSession(
            transport: .polling,
            handshake: EngineHandshake(headers: [:], query: [:])
        )
        guard let client = connection.handler as? SocketClient else { throw EngineError.badRequest }
        return (connection, client)
    }

    /// What a POST with these packets does, and waits until a CONNECT among them is answered.
    func receive(_ packets: [EnginePacket], on connection: EngineConnection) async {
        engine.receive(packets, on: connection)
        while (connection.handler as? SocketClient)?.isConnecting == true {
            try? await Task.sleep(for: .milliseconds(1))
        }
    }

    func close(_ connection: EngineConnection, _ reason: EngineCloseReason) {
        engine.close(connection, reason)
    }
}

extension EngineConnection {
    /// The socket of the session in `namespace`.
    func socket(in namespace: String) -> Socket? {
        (handler as? SocketClient)?.socket(in: namespace)
    }
}
