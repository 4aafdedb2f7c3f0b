import APIRuntime
import ArgumentParser
import EngineIO
import Foundation
import Generated
import Handlers
import Hummingbird
import Logging
import Metrics
import PostgresNIO
import Prometheus
import ServiceLifecycle
import SocketIO

/// The composition root: database (URL or embedded), migrations, REST routes, Socket.IO, one service group.
struct ServerApp {
    let configuration: ServerConfiguration
    let logger: Logger

    init(configuration: ServerConfiguration) {
        self.configuration = configuration
        var logger = Logger(label: "messaging-server")
        logger.logLevel = configuration.logLevel
        self.logger = logger
    }

    /// Opens the database (starting the embedded cluster when there is no `DATABASE_URL`), runs `work` with a
    /// running client, then closes everything.
    func withDatabase(_ work: (PostgresClient, Logger) async throws -> Void) async throws {
        try await checkDatabaseTLS()
        let (clientConfiguration, embedded) = try openDatabase()
        defer { try? embedded?.cluster.stop() }
        let client = PostgresClient(configuration: clientConfiguration, backgroundLogger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await work(client, logger)
        }
    }

    /// With a `DATABASE_URL` that asks for TLS, a certificate the server's chain fails stops start-up with one line.
    func checkDatabaseTLS() async throws {
        guard let url = configuration.databaseURL,
            let failure = await (try DatabaseLocation(url: url)).tlsFailure(logger: logger)
        else { return }
        FileHandle.standardError.write(Data("configuration error: \(failure)\n".utf8))
        throw ExitCode.failure
    }

    func openDatabase() throws -> (PostgresClient.Configuration, EmbeddedDatabase?) {
        if let url = configuration.databaseURL {
            return (try DatabaseLocation(url: url).clientConfiguration(), nil)
        }
        let embedded = try EmbeddedDatabase(dataDirectory: configuration.dataDirectory, logger: logger)
        logger.info(
            "No DATABASE_URL: using the embedded PostgreSQL cluster",
            metadata: ["dir": "\(configuration.dataDirectory)"]
        )
        return (try embedded.start(), embedded)
    }

    /// Runs the server until SIGTERM/SIGINT. Shutdown order: Socket.IO first (refuse new sessions, let received
    /// events finish and ack, close every client's transport so that clients reconnect by themselves), then the
    /// recovery store (its last writes) and the cross-node listener, then the HTTP server (stop accepting, finish
    /// in-flight requests), then the database pool, then the embedded cluster; anything still running after
    /// `SHUTDOWN_TIMEOUT_MS` more is cancelled.
    func serve() async throws {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(Self.metricsFactory(registry: registry))
        let secret = try configuration.requireJWTSecret()
        let tokens = await JWTTokens(
            secret: secret,
            issuer: configuration.jwtIssuer,
            audience: configuration.jwtAudience
        )
        try await checkDatabaseTLS()
        let (clientConfiguration, embedded) = try openDatabase()
        defer {
            if let embedded {
                logger.info("Stopping the embedded PostgreSQL cluster")
                try? embedded.cluster.stop()
            }
        }
        var postgresConfiguration = clientConfiguration
        postgresConfiguration.options.connectTimeout = .seconds(3)
        // Every connection is opened at start and kept: the pool arms no idle timer when a query hands its
        // connection back, and no keep-alive timer unless the operator asks for keep-alive queries.
        postgresConfiguration.options.maximumConnections = configuration.databasePoolSize
        postgresConfiguration.options.minimumConnections = configuration.databasePoolSize
        postgresConfiguration.options.keepAliveBehavior = configuration.databaseKeepAlive.map { .init(frequency: $0) }
        postgresConfiguration.options.additionalStartupParameters = [
            ("statement_timeout", "\(configuration.statementTimeoutMilliseconds)")
        ]
        let postgres = PostgresClient(configuration: postgresConfiguration, backgroundLogger: logger)

        var socketConfiguration = SocketServerConfiguration()
        socketConfiguration.engine.allowedOrigins = configuration.corsOrigins
        socketConfiguration.engine.pingInterval = configuration.pingInterval
        socketConfiguration.engine.pingTimeout = configuration.pingTimeout
        socketConfiguration.engine.maxPayload = configuration.maxPayload
        socketConfiguration.engine.maxSessions = configuration.maxConnections
        socketConfiguration.engine.maxPendingSessionsPerAddress = configuration.maxPendingSessionsPerAddress
        socketConfiguration.engine.trustedProxies = configuration.trustedProxies
        socketConfiguration.engine.maxOutboundBytes = configuration.maxOutboundBytes
        socketConfiguration.engine.requestHeadTimeout = configuration.requestHeadTimeout
        socketConfiguration.engine.requestBodyTimeout = configuration.requestBodyTimeout
        socketConfiguration.connectTimeout = configuration.connectTimeout
        socketConfiguration.drainTimeout = configuration.shutdownTimeout
        let io = SocketServer(configuration: socketConfiguration, logger: logger)
        let namespace = io.namespace(MessagesChannel.namespace)
        let store = MessageStore(client: postgres, logger: logger)
        let events = EventPublisher(sink: NamespaceEventSink(namespace: namespace), logger: logger)
        let service = MessagingService(
            store: store,
            events: events,
            databaseTimeout: configuration.databaseTimeout,
            limits: configuration.limits
        )
        _ = MessagingNamespace.install(on: io, service: service, tokens: tokens, logger: logger)
        var clusterServices: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let window = configuration.recoveryWindow {
            let sessions = PostgresSessionStore(client: postgres, logger: logger, window: window)
            namespace.recovery = MessagingNamespace.recovery(store: sessions, window: window)
            clusterServices.append(.init(service: sessions))
        }
        if configuration.broadcastAdapter == .postgres {
            let adapter = PostgresBroadcastAdapter(
                client: postgres,
                server: io,
                nodeId: configuration.nodeId,
                logger: logger
            )
            namespace.adapter = adapter
            clusterServices.append(.init(service: adapter))
            logger.info(
                "Broadcasts fan out through PostgreSQL LISTEN/NOTIFY",
                metadata: ["node": "\(configuration.nodeId)"]
            )
        }

        // The engine's context knows each request's peer, which polling handshakes are counted by.
        let router = Router(context: EngineRequestContext.self)
        router.add(middleware: ConnectionCloseMiddleware())
        router.add(middleware: RequestLogMiddleware(quietPathPrefix: socketConfiguration.engine.path))
        router.add(middleware: ErrorEnvelopeMiddleware())
        router.add(middleware: CORSPolicyMiddleware(allowedOrigins: configuration.corsOrigins))
        router.add(
            middleware: BodyLimitMiddleware(
                maxBytes: configuration.maxBodyBytes,
                exemptPathPrefix: socketConfiguration.engine.path
            )
        )
        router.addSpecRoutes()
        let api = MessagingAPI<EngineRequestContext>(
            service: service,
            tokens: tokens,
            serviceKey: configuration.serviceAPIKey,
            readiness: { io.isAcceptingConnections ? await service.isReady() : false }
        )
        api.registerHandlers(on: router)
        MetricsRoute(
            registry: registry,
            io: io,
            databasePoolSize: postgresConfiguration.options.maximumConnections,
            token: configuration.metricsToken
        ).register(on: router)
        let demoUsers: (@Sendable () async throws -> [TestClientRoutes.DemoUser])? =
            configuration.demoLogin
            ? { @Sendable in try await SeedDemo.demoUsers(tokens: tokens, lifetime: 3600) } : nil
        TestClientRoutes(clientBundlePath: configuration.socketIOClientBundle, demoUsers: demoUsers)
            .register(on: router)
        io.addRoutes(to: router)

        var app = Application(
            router: router,
            server: io.httpServer(.init(idleTimeout: .seconds(configuration.httpIdleTimeout.components.seconds))),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port)),
            logger: logger
        )
        app.beforeServerStarts { [logger, configuration] in
            try await Migrations.run(on: postgres, logger: logger)
            logger.info(
                "Messaging server ready",
                metadata: [
                    "rest": "http://localhost:\(configuration.port)/api",
                    "socket.io": "http://localhost:\(configuration.port)/messages (path /socket.io/)",
                    "test-client": "http://localhost:\(configuration.port)/",
                    "metrics": "http://localhost:\(configuration.port)/metrics",
                ]
            )
        }
        var groupConfiguration = ServiceGroupConfiguration(
            // Shut down in reverse: Socket.IO, then the cross-node listener and the recovery store, then HTTP, then the
            // database pool.
            services: [.init(service: postgres), .init(service: app)] + clusterServices + [.init(service: io)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        groupConfiguration.maximumGracefulShutdownDuration = configuration.shutdownTimeout * 2
        groupConfiguration.maximumCancellationDuration = .seconds(5)
        try await ServiceGroup(configuration: groupConfiguration).run()
        logger.info("Server stopped")
    }

    /// Prometheus export with histogram buckets sized for this server: sub-millisecond to seconds for latencies,
    /// 0 to thousands for broadcast recipients.
    static func metricsFactory(registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
            .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
            .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
        ]
        factory.defaultValueHistogramBuckets = [0, 1, 2, 5, 10, 25, 50, 100, 250, 1000, 5000]
        return factory
    }
}
