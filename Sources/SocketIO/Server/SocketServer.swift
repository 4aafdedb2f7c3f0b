import EngineIO
import Hummingbird
import HummingbirdCore
import Logging
import ServiceLifecycle
import Synchronization

/// A Socket.IO v5 server on an Engine.IO v4 server.
///
/// Create it, configure namespaces (`namespace("/chat")`), register its routes on Hummingbird routers
/// (`addRoutes(to:)`, `httpServer()`) and run it as a `Service` next to the HTTP server: on graceful shutdown it
/// lets received events finish, then closes every client's transport.
public final class SocketServer: Service, Sendable {
    public let configuration: SocketServerConfiguration
    /// The Engine.IO layer the sockets travel on.
    public let engine: EngineServer
    let layer: SocketLayer

    /// - Parameters:
    ///   - configuration: the engine's settings, the connect timeout and the shutdown drain.
    ///   - logger: the logger of the server and its sockets.
    public init(configuration: SocketServerConfiguration = .init(), logger: Logger = Logger(label: "socket.io")) {
        self.configuration = configuration
        self.layer = SocketLayer(configuration: configuration, logger: logger)
        self.engine = EngineServer(configuration: configuration.engine, logger: logger, handler: layer)
    }

    var logger: Logger { layer.logger }

    /// The namespace with this name, created on first use. Clients can connect only to namespaces that exist.
    ///
    /// - Parameter name: the namespace, such as `/` or `/chat`.
    public func namespace(_ name: String) -> Namespace {
        layer.namespace(name)
    }

    /// The namespace with this name if it was created; adapters deliver broadcasts from other nodes through it.
    ///
    /// - Parameter name: the namespace.
    public func existingNamespace(_ name: String) -> Namespace? {
        layer.existingNamespace(name)
    }

    /// Open Engine.IO sessions by transport.
    public var sessionCounts: (polling: Int, websocket: Int) { engine.sessionCounts }

    /// False once shutdown began: new handshakes get 503 and new CONNECTs are refused.
    public var isAcceptingConnections: Bool { layer.isAcceptingConnections }

    /// Registers the polling transport on `router`.
    ///
    /// - Parameter router: the application's router.
    public func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        engine.addRoutes(to: router)
    }

    /// The HTTP server for `Application(router:server:)`: HTTP/1.1 for the router's routes, and the WebSocket
    /// transport served in the channel pipeline.
    ///
    /// - Parameter configuration: Hummingbird's HTTP/1 settings.
    public func httpServer(_ configuration: HTTP1Channel.Configuration = .init()) -> HTTPServerBuilder {
        engine.httpServer(configuration)
    }

    // MARK: Service

    /// Waits for graceful shutdown, then shuts down (see `shutdown()`).
    public func run() async throws {
        try? await gracefulShutdown()
        await shutdown()
    }

    /// Stops accepting sessions and connections, lets the events already received finish (their handlers run and
    /// their acks are queued) for at most `drainTimeout`, then closes every session's transport, as the reference
    /// server's `close()` does: pending long-polls get a close packet and WebSockets a close frame, so clients see
    /// `transport close` and reconnect by themselves (to this node once it is back, or to another one). No
    /// Socket.IO DISCONNECT is sent (the client would read it as `io server disconnect` and never reconnect). The
    /// sockets leave with `server shutting down`, a reason connection state recovery keeps their sessions for.
    public func shutdown() async {
        layer.stopAccepting()
        engine.stopAccepting()
        let sockets = layer.allSockets
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
        engine.closeAll(.serverShuttingDown)
    }
}

/// The Socket.IO layer as the Engine.IO server sees it: a `SocketClient` for each session, and what the clients
/// share (namespaces, settings, whether connections are still accepted).
final class SocketLayer: EngineServerHandler {
    let configuration: SocketServerConfiguration
    let logger: Logger
    /// `logger` with the ids of the socket whose events a task handles added to every line (`Socket.logMetadata`)
    /// when its log handler supports metadata providers.
    let eventLogger: Logger
    private let namespaces = Mutex<[String: Namespace]>([:])
    private let stopping = Atomic<Bool>(false)

    init(configuration: SocketServerConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        var eventLogger = logger
        eventLogger.handler.metadataProvider =
            logger.metadataProvider.flatMap { .multiplex([$0, Socket.logMetadata]) } ?? Socket.logMetadata
        self.eventLogger = eventLogger
    }

    func sessionOpened(_ connection: EngineConnection) -> any EngineConnectionHandler {
        SocketClient(connection: connection, layer: self)
    }

    func namespace(_ name: String) -> Namespace {
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

    /// Every connected socket of every namespace.
    var allSockets: [Socket] {
        namespaces.withLock { Array($0.values) }.flatMap(\.allSockets)
    }

    var isAcceptingConnections: Bool { !stopping.load(ordering: .acquiring) }

    func stopAccepting() {
        stopping.store(true, ordering: .releasing)
    }
}
