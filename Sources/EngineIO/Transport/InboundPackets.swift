import Synchronization

/// The client's packets waiting for the server, handled in order by a task that exists only while some wait; the
/// task runs on the session's event loop.
final class InboundPackets: Sendable {
    /// More waiting packets than this means the client is far ahead of the server: the session is closed.
    static let limit = 1_000

    private let server: EngineServer
    private let session: EngineConnection
    private let state = Mutex<(packets: [EnginePacket], draining: Bool)>(([], false))

    init(server: EngineServer, session: EngineConnection) {
        self.server = server
        self.session = session
    }

    func append(_ packet: EnginePacket) {
        let (start, overflow) = state.withLock { state -> (Bool, Bool) in
            guard state.packets.count < Self.limit else { return (false, true) }
            state.packets.append(packet)
            guard !state.draining else { return (false, false) }
            state.draining = true
            return (true, false)
        }
        if overflow {
            server.logger.warning("Client is too far ahead of the server; closing", metadata: ["sid": "\(session.id)"])
            server.close(session, .forcedClose)
        }
        if start { Task(executorPreference: session.executor) { await self.drain() } }
    }

    private func drain() async {
        while true {
            let packets = state.withLock { state -> [EnginePacket] in
                let packets = state.packets
                state.packets.removeAll()
                if packets.isEmpty { state.draining = false }
                return packets
            }
            guard !packets.isEmpty else { return }
            await server.receive(packets, on: session)
        }
    }
}
