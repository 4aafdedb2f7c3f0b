import APIRuntime
import EngineIO
import Generated
import Handlers
import Hummingbird
import Logging
import PostgresNIO
import Prometheus
import ServiceLifecycle
import SocketIO

/// The parts `ServerApp.serve` puts together: the database pool, the cluster services, the routes and the HTTP
/// application.
extension ServerApp {
    /// The pool: every connection opened at start and kept (the pool arms no idle timer when a query hands its
    /// connection back, and no keep-alive timer unless the operator asks for keep-alive queries), each with the
    /// configured `statement_timeout`.
    func poolConfiguration(_ base: PostgresClient.Configuration) -> PostgresClient.Configuration {
        var pool = base
        pool.options.connectTimeout = .seconds(3)
        pool.options.maximumConnections = configuration.databasePoolSize
        pool.options.minimumConnections = configuration.databasePoolSize
        pool.options.keepAliveBehavior = configuration.databaseKeepAlive.map { .init(frequency: $0) }
        pool.options.additionalStartupParameters = [
            ("statement_timeout", "\(configuration.statementTimeout.wholeMilliseconds)")
        ]
        return pool
    }

    /// Connection state recovery's store and the cross-node broadcast adapter, when configured, as services.
    func clusterServices(
        io: SocketServer,
        namespace: Namespace,
        postgres: PostgresClient
    ) -> [ServiceGroupConfiguration.ServiceConfiguration] {
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let window = configuration.recoveryWindow {
            let sessions = PostgresSessionStore(client: postgres, logger: logger, window: window)
            namespace.recovery = MessagingNamespace.recovery(store: sessions, window: window)
            services.append(.init(service: sessions))
        }
        if configuration.broadcastAdapter == .postgres {
            let adapter = PostgresBroadcastAdapter(
                client: postgres,
                server: io,
                nodeId: configuration.nodeId,
                logger: logger
            )
            namespace.adapter = adapter
            services.append(.init(service: adapter))
            logger.info(
                "Broadcasts fan out through PostgreSQL LISTEN/NOTIFY",
                metadata: ["node": "\(configuration.nodeId)"]
            )
        }
        return services
    }

    /// Middleware, the spec's routes, the REST API, metrics, the test client and the polling transport. The
    /// engine's context knows each request's peer, which polling handshakes are counted by.
    func makeRouter(
        io: SocketServer,
        service: MessagingService,
        tokens: JWTTokens,
        metrics: (registry: PrometheusCollectorRegistry, poolSize: Int)
    ) -> Router<EngineRequestContext> {
        let socketPath = io.configuration.engine.path
        let router = Router(context: EngineRequestContext.self)
        router.add(middleware: ConnectionCloseMiddleware())
        if service.spans.enabled { router.add(middleware: RequestTracingMiddleware(exemptPathPrefix: socketPath)) }
        router.add(middleware: RequestLogMiddleware(quietPathPrefix: socketPath))
        router.add(middleware: ErrorEnvelopeMiddleware())
        router.add(middleware: CORSPolicyMiddleware(allowedOrigins: configuration.corsOrigins))
        router.add(middleware: BodyLimitMiddleware(maxBytes: configuration.maxBodyBytes, exemptPathPrefix: socketPath))
        router.addSpecRoutes()
        MessagingAPI<EngineRequestContext>(
            service: service,
            tokens: tokens,
            serviceKey: configuration.serviceAPIKey,
            readiness: { io.isAcceptingConnections ? await service.isReady() : false }
        ).registerHandlers(on: router)
        MetricsRoute(
            registry: metrics.registry,
            io: io,
            databasePoolSize: metrics.poolSize,
            token: configuration.metricsToken
        ).register(on: router)
        let demoUsers: (@Sendable () async throws -> [TestClientRoutes.DemoUser])? =
            configuration.demoLogin
            ? { @Sendable in try await SeedDemo.demoUsers(tokens: tokens, lifetime: 3600) } : nil
        TestClientRoutes(clientBundlePath: configuration.socketIOClientBundle, demoUsers: demoUsers)
            .register(on: router)
        io.addRoutes(to: router)
        return router
    }

    /// The HTTP application; before it listens, the migrations run, webhooks are turned on or off and the addresses
    /// are logged.
    func makeApplication(
        router: Router<EngineRequestContext>,
        io: SocketServer,
        postgres: PostgresClient,
        store: MessageStore
    ) -> some ApplicationProtocol {
        var app = Application(
            router: router,
            server: io.httpServer(.init(idleTimeout: .seconds(configuration.httpIdleTimeout.components.seconds))),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port)),
            logger: logger
        )
        app.beforeServerStarts { [logger, configuration] in
            try await Migrations.run(on: postgres, logger: logger)
            try await SearchLanguage.apply(configuration.searchLanguage, on: postgres, logger: logger)
            // Every node writes the flag at start: the outbox fills only while the deployment delivers it.
            try await store.setWebhooksEnabled(configuration.webhooks != nil)
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
        return app
    }
}
