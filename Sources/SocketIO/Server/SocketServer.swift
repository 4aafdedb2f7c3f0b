import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// An Engine.IO v4 + Socket.IO v5 server.
///
/// Create it, configure namespaces (`namespace("/chat")`), register its routes on Hummingbird routers
/// (`addRoutes(to:)`, `httpServer()`) and run it as a `Service` next to the HTTP server: it drives heartbeats and
/// connect timeouts, and on graceful shutdown closes every client's transport and releases pending long-polls.
public final class SocketServer: Service, Sendable {
    public let configuration: SocketServerConfiguration
    let logger: Logger
    private let sessions = Mutex<[String: EngineSession]>([:])
    private let namespaces = Mutex<[String: Namespace]>([:])
    private let stopping = Atomic<Bool>(false)

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

    /// The namespace with this name if it was created; adapters deliver broadcasts from other nodes through it.
    public func existingNamespace(_ name: String) -> Namespace? {
        namespaces.withLock { $0[name] }
    }

    /// Open Engine.IO sessions by transport.
    public var sessionCounts: (polling: Int, websocket: Int) {
        let all = sessions.withLock { Array($0.values) }
        let websocket = all.filter { $0.transport == .websocket }.count
        return (all.count - websocket, websocket)
    }

    /// False once shutdown began: new handshakes get 503 and new CONNECTs are refused.
    public var isAcceptingConnections: Bool { !stopping.load(ordering: .acquiring) }

    // MARK: Service

    /// Ticks heartbeats and connect timeouts until graceful shutdown, then shuts down (see `shutdown()`).
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
        await shutdown()
    }

    /// Stops accepting sessions and connections, lets the events already received finish (their handlers run and
    /// their acks are queued) for at most `drainTimeout`, then closes every session's transport, as the reference
    /// server's `close()` does: pending long-polls get a close packet and WebSockets a close frame, so clients see
    /// `transport close` and reconnect by themselves (to this node once it is back, or to another one). The
    /// sockets leave with `server shutting down`, a reason connection state recovery keeps their sessions for.
    public func shutdown() async {
        stopping.store(true, ordering: .releasing)
        let sockets = sessions.withLock { Array($0.values) }.flatMap(\.sockets)
        for socket in sockets { socket.stopReceiving() }
        let deadline = ContinuousClock.now + configuration.drainTimeout
        while sockets.contains(where: \.isHandlingEvents), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        let unfinished = sockets.filter(\.isHandlingEvents).count
        if unfinished > 0 {
            logger.warning(
                "Shutdown: events still running after the drain timeout",
                metadata: ["sockets": "\(unfinished)"]
            )
        }
        closeAll()
    }

    /// Closes every session's transport; no Socket.IO DISCONNECT is sent (the client would read it as `io server
    /// disconnect` and never reconnect by itself).
    func closeAll() {
        for session in sessions.withLock({ Array($0.values) }) { close(session, .serverShuttingDown) }
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

    /// Opens a session unless the server is stopping or holds `maxSessions` already.
    func openSession(
        transport: EngineSessionState.Transport,
        handshake: Handshake
    ) throws(EngineError) -> (EngineSession, EnginePacket) {
        guard isAcceptingConnections else {
            SocketMetrics.sessionRefused("shutting_down")
            throw .shuttingDown
        }
        let session = EngineSession(
            id: Self.randomId(),
            transport: transport,
            handshake: handshake,
            pingInterval: configuration.pingInterval,
            pingTimeout: configuration.pingTimeout
        )
        let admitted = sessions.withLock { sessions -> Bool in
            if let limit = configuration.maxSessions, sessions.count >= limit { return false }
            sessions[session.id] = session
            return true
        }
        guard admitted else {
            SocketMetrics.sessionRefused("capacity")
            throw .atCapacity
        }
        let upgrades = transport == .polling ? "[\"websocket\"]" : "[]"
        let open =
            "{\"sid\":\"\(session.id)\",\"upgrades\":\(upgrades),\"pingInterval\":\(Self.milliseconds(configuration.pingInterval)),"
            + "\"pingTimeout\":\(Self.milliseconds(configuration.pingTimeout)),\"maxPayload\":\(configuration.maxPayload)}"
        return (session, .open(open))
    }

    /// True when `maxSessions` sessions are open.
    var isFull: Bool {
        guard let limit = configuration.maxSessions else { return false }
        return sessions.withLock { $0.count >= limit }
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
