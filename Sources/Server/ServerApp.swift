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
        guard let database = configuration.database, let failure = await database.tlsFailure(logger: logger)
        else { return }
        FileHandle.standardError.write(Data("configuration error: \(failure)\n".utf8))
        throw ExitCode.failure
    }

    func openDatabase() throws -> (PostgresClient.Configuration, EmbeddedDatabase?) {
        if let database = configuration.database { return (database.clientConfiguration(), nil) }
        let embedded = try EmbeddedDatabase(dataDirectory: configuration.dataDirectory, logger: logger)
        logger.info(
            "No DATABASE_URL: using the embedded PostgreSQL cluster",
            metadata: ["dir": "\(configuration.dataDirectory)"]
        )
        return (try embedded.start(), embedded)
    }

    /// Runs the server until SIGTERM/SIGINT. Shutdown order: Socket.IO first (refuse new sessions, let received
    /// events finish and ack, close every client's transport so that clients reconnect by themselves), then presence
    /// (this node's users who are not online elsewhere go offline, announced), then the recovery store (its last
    /// writes) and the cross-node listener, then the HTTP server (stop accepting, finish in-flight requests), then
    /// the webhook deliveries under way, then the search indexer (the vectors of the last sends), then the database
    /// pool, then the embedded cluster;
    /// anything still running after `SHUTDOWN_TIMEOUT_MS` more is cancelled.
    func serve() async throws {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(Self.metricsFactory(registry: registry))
        let tracing = try TracingSetup.bootstrap(configuration.tracesExporter)
        let tokens = await JWTTokens(
            secret: try configuration.requireJWTSecret(),
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
        let postgresConfiguration = poolConfiguration(clientConfiguration)
        let postgres = PostgresClient(configuration: postgresConfiguration, backgroundLogger: logger)
        let io = SocketServer(configuration: configuration.socketServerConfiguration, logger: logger)
        let namespace = io.namespace(MessagesChannel.namespace)
        let store = MessageStore(client: postgres, logger: logger)
        let events = EventPublisher(sink: NamespaceEventSink(namespace: namespace), logger: logger)
        let presence = PresenceTracker(
            store: store,
            events: events,
            nodeId: configuration.nodeId,
            timeout: configuration.presenceTimeout,
            logger: logger
        )
        let service = MessagingService(
            store: store,
            events: events,
            databaseTimeout: configuration.databaseTimeout,
            statementTimeout: configuration.statementTimeout,
            limits: configuration.limits,
            spans: Spans(enabled: tracing != nil),
            editWindow: configuration.editWindow,
            contactFilter: configuration.contactFilter,
            presence: presence
        )
        _ = MessagingNamespace.install(on: io, service: service, tokens: tokens, presence: presence, logger: logger)
        let indexer = SearchIndexer(store: store, delay: configuration.searchIndexDelay, logger: logger)
        let webhooks: [ServiceGroupConfiguration.ServiceConfiguration] =
            configuration.webhooks.map { settings in
                [
                    .init(service: WebhookDispatcher(store: store, settings: settings, logger: logger)),
                    .init(service: UnreadReminderSweeper(store: store, settings: settings, logger: logger)),
                ]
            } ?? []
        let cluster = clusterServices(io: io, namespace: namespace, postgres: postgres)
        let router = makeRouter(
            io: io,
            service: service,
            tokens: tokens,
            metrics: (registry, postgresConfiguration.options.maximumConnections)
        )
        let app = makeApplication(router: router, io: io, postgres: postgres, store: store)
        var groupConfiguration = ServiceGroupConfiguration(
            // Shut down in reverse: Socket.IO, then presence (this node's users go offline, announced through the
            // cross-node listener), then the cross-node listener and the recovery store, then HTTP, then the
            // webhook deliveries under way, then the search indexer (its last pass), then the database pool, then
            // the span exporter.
            services: (tracing.map { [.init(service: $0)] } ?? [])
                + [.init(service: postgres), .init(service: indexer)] + webhooks + [.init(service: app)]
                + cluster + [.init(service: presence), .init(service: io)],
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
