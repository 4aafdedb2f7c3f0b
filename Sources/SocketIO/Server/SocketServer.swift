import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// An Engine.IO v4 + Socket.IO v5 server.
///
/// Create it, configure namespaces (`namespace("/chat")`), register its routes on Hummingbird routers
/// (`addRoutes(to:webSocketRouter:)`) and run it as a `Service` next to the HTTP server: it drives heartbeats and
/// connect timeouts, and on graceful shutdown disconnects every client and releases pending long-polls.
public final class SocketServer: Service, Sendable {
    public let configuration: SocketServerConfiguration
    let logger: Logger
    private let sessions = Mutex<[String: EngineSession]>([:])
    private let namespaces = Mutex<[String: Namespace]>([:])

    public init(configuration: SocketServerConfiguration = .init(), logger: Logger = Logger(label: "socket.io")) {
        self.configuration = configuration
        self.logger = logger
    }

    /// The namespace with this name, created on first use. Clients can connect only to namespaces that exist.
    public func namespace(_ name: String) -> Namespace {
        namespaces.withLock { namespaces in
            if let existing = namespaces[name] { return existing }
            let namespace = Namespace(name: name)
            namespaces[name] = namespace
            return namespace
        }
    }

    func existingNamespace(_ name: String) -> Namespace? {
        namespaces.withLock { $0[name] }
    }

    /// Open Engine.IO sessions by transport.
    public var sessionCounts: (polling: Int, websocket: Int) {
        let all = sessions.withLock { Array($0.values) }
        let websocket = all.filter { $0.transport == .websocket }.count
        return (all.count - websocket, websocket)
    }

    // MARK: Service

    /// Ticks heartbeats and connect timeouts until graceful shutdown, then closes every session.
    public func run() async throws {
        let tick = max(
            .milliseconds(10),
            min(.seconds(1), min(configuration.pingInterval, configuration.pingTimeout) / 4)
        )
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: tick)
                self.tick(now: .now)
            }
        }
        shutdown()
    }

    /// Disconnects every socket (`server shutting down`) and closes every session.
    public func shutdown() {
        for session in sessions.withLock({ Array($0.values) }) {
            for socket in session.sockets {
                socket.send(SocketPacket(kind: .disconnect, namespace: socket.namespace.name))
            }
            close(session, .serverShuttingDown)
        }
    }

    func tick(now: ContinuousClock.Instant) {
        for session in sessions.withLock({ Array($0.values) }) {
            session.tick(now: now)
            if let reason = session.closeReason {
                close(session, reason)
            } else if !session.hasConnectedNamespace, now - session.createdAt > configuration.connectTimeout {
                close(session, .forcedClose)
            }
        }
    }

    // MARK: Sessions

    func openSession(transport: EngineSessionState.Transport, handshake: Handshake) -> (EngineSession, EnginePacket) {
        let session = EngineSession(
            id: Self.randomId(),
            transport: transport,
            handshake: handshake,
            pingInterval: configuration.pingInterval,
            pingTimeout: configuration.pingTimeout
        )
        sessions.withLock { $0[session.id] = session }
        let upgrades = transport == .polling ? "[\"websocket\"]" : "[]"
        let open =
            "{\"sid\":\"\(session.id)\",\"upgrades\":\(upgrades),\"pingInterval\":\(Self.milliseconds(configuration.pingInterval)),"
            + "\"pingTimeout\":\(Self.milliseconds(configuration.pingTimeout)),\"maxPayload\":\(configuration.maxPayload)}"
        return (session, .open(open))
    }

    func session(_ id: String) -> EngineSession? {
        sessions.withLock { $0[id] }
    }

    /// Closes a session and disconnects its sockets with the matching reason; safe to call more than once.
    func close(_ session: EngineSession, _ reason: DisconnectReason) {
        session.close(reason)
        let removed = sessions.withLock { $0.removeValue(forKey: session.id) != nil }
        guard removed else { return }
        let socketReason = session.closeReason ?? reason
        for socket in session.detachAll() { socket.didDisconnect(reason: socketReason) }
        logger.debug(
            "Engine.IO session closed",
            metadata: ["sid": "\(session.id)", "reason": "\(socketReason.rawValue)"]
        )
    }

    static func randomId() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<15).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
