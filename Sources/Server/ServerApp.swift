import APIRuntime
import Foundation
import Generated
import Handlers
import Hummingbird
import HummingbirdWebSocket
import Logging
import PostgresNIO
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
        let (clientConfiguration, embedded) = try openDatabase()
        defer { try? embedded?.cluster.stop() }
        let client = PostgresClient(configuration: clientConfiguration, backgroundLogger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await work(client, logger)
        }
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

    func serve() async throws {
        let secret = try configuration.requireJWTSecret()
        let tokens = await JWTTokens(
            secret: secret,
            issuer: configuration.jwtIssuer,
            audience: configuration.jwtAudience
        )
        let (clientConfiguration, embedded) = try openDatabase()
        defer {
            if let embedded {
                logger.info("Stopping the embedded PostgreSQL cluster")
                try? embedded.cluster.stop()
            }
        }
        var postgresConfiguration = clientConfiguration
        postgresConfiguration.options.connectTimeout = .seconds(3)
        let postgres = PostgresClient(configuration: postgresConfiguration, backgroundLogger: logger)

        var socketConfiguration = SocketServerConfiguration()
        socketConfiguration.allowedOrigins = configuration.corsOrigins
        socketConfiguration.pingInterval = configuration.pingInterval
        socketConfiguration.pingTimeout = configuration.pingTimeout
        socketConfiguration.connectTimeout = configuration.connectTimeout
        socketConfiguration.maxPayload = configuration.maxPayload
        let io = SocketServer(configuration: socketConfiguration, logger: logger)
        let namespace = io.namespace(MessagesChannel.namespace)
        let store = MessageStore(client: postgres, logger: logger)
        let events = EventPublisher(sink: NamespaceEventSink(namespace: namespace), logger: logger)
        let service = MessagingService(store: store, events: events, logger: logger, limits: configuration.limits)
        _ = MessagingNamespace.install(on: io, service: service, tokens: tokens, logger: logger)

        let router = Router()
        router.add(middleware: ErrorEnvelopeMiddleware())
        router.add(middleware: CORSPolicyMiddleware(allowedOrigins: configuration.corsOrigins))
        router.addSpecRoutes()
        let api = MessagingAPI<BasicRequestContext>(
            service: service,
            tokens: tokens,
            serviceKey: configuration.serviceAPIKey,
            readiness: { await service.isReady() }
        )
        api.registerHandlers(on: router)
        let webSocketRouter = Router(context: BasicWebSocketRequestContext.self)
        io.addRoutes(to: router, webSocketRouter: webSocketRouter)

        var app = Application(
            router: router,
            server: .http1WebSocketUpgrade(webSocketRouter: webSocketRouter),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port)),
            services: [postgres, io],
            logger: logger
        )
        app.beforeServerStarts { [logger, configuration] in
            try await Migrations.run(on: postgres, logger: logger)
            logger.info(
                "Messaging server ready",
                metadata: [
                    "rest": "http://localhost:\(configuration.port)/api",
                    "socket.io": "http://localhost:\(configuration.port)/messages (path /socket.io/)",
                    "spec": "http://localhost:\(configuration.port)/api/openapi.yaml",
                ]
            )
        }
        try await app.runService()
    }
}
