import APIRuntime
import Configuration
import Foundation
import Handlers
import Logging
import SocketIO

/// Everything the server reads from its settings, read once at start-up. Each field's variable, default and meaning
/// are declared in `Settings`.
struct ServerConfiguration: Sendable {
    var host: String
    var port: Int
    var logLevel: Logger.Level
    /// Unset runs the embedded cluster.
    var database: DatabaseLocation?
    var databasePoolSize: Int
    /// Read before anything starts as well (see `MessagingServer.main`).
    var eventLoopThreads: Int?
    var databaseKeepAlive: Duration?
    var databaseTimeout: Duration
    var statementTimeout: Duration
    var dataDirectory: String
    var jwtSecret: String?
    /// Seconds.
    var jwtExpiration: Int
    var jwtIssuer: String?
    var jwtAudience: String?
    /// Nil allows any origin.
    var corsOrigins: [String]?
    var serviceAPIKey: String?
    var limits: MessagingLimits
    var pingInterval: Duration
    var pingTimeout: Duration
    var connectTimeout: Duration
    var maxPayload: Int
    var requestHeadTimeout: Duration
    var requestBodyTimeout: Duration
    var httpIdleTimeout: Duration
    var logFormat: LogFormat
    var maxConnections: Int
    var maxOutboundBytes: Int
    var maxPendingSessionsPerAddress: Int
    var trustedProxies: Set<String>
    var maxBodyBytes: Int
    var shutdownTimeout: Duration
    var metricsToken: String?
    var demoLogin: Bool
    var socketIOClientBundle: String
    var broadcastAdapter: BroadcastAdapterKind
    var nodeId: String
    /// Nil turns connection state recovery off.
    var recoveryWindow: Duration?
    var editWindow: Duration
    var contactFilter: ContactFilter
    var presenceTimeout: Duration
    var searchIndexDelay: Duration
    /// Nil: webhooks off.
    var webhooks: WebhookSettings?
    var searchLanguage: String
    var tracesExporter: TracesExporter

    enum BroadcastAdapterKind: String, Sendable, CaseIterable {
        case local
        case postgres
    }

    enum TracesExporter: String, Sendable, CaseIterable {
        case none
        case otlp
    }

    enum LogFormat: String, Sendable, CaseIterable {
        case text
        case json
    }

    /// Reads every setting from `reader`; the first bad one throws a `ConfigurationError` naming it.
    init(reader: ConfigReader) throws {
        host = try Settings.host.read(from: reader)
        port = try Settings.port.read(from: reader)
        logLevel = try Settings.logLevel.read(from: reader)
        database = try Settings.database.read(from: reader)
        databasePoolSize = try Settings.databasePoolSize.read(from: reader)
        eventLoopThreads = try Settings.eventLoopThreads.read(from: reader)
        databaseKeepAlive = try Settings.databaseKeepAlive.read(from: reader)
        databaseTimeout = try Settings.databaseTimeout.read(from: reader)
        statementTimeout = try Settings.statementTimeout.read(from: reader)
        dataDirectory = try Settings.dataDirectory.read(from: reader)
        jwtSecret = try Settings.jwtSecret.read(from: reader)
        jwtExpiration = try Settings.jwtExpiration.read(from: reader)
        jwtIssuer = try Settings.jwtIssuer.read(from: reader)
        jwtAudience = try Settings.jwtAudience.read(from: reader)
        let origins = try Settings.corsOrigins.read(from: reader)
        corsOrigins = origins.isEmpty ? nil : origins
        serviceAPIKey = try Settings.serviceAPIKey.read(from: reader)
        limits = MessagingLimits()
        limits.send = try Settings.rateLimitSend.read(from: reader)
        limits.typing = try Settings.rateLimitTyping.read(from: reader)
        limits.events = try Settings.rateLimitEvents.read(from: reader)
        limits.rest = try Settings.rateLimitREST.read(from: reader)
        limits.maxConnectionsPerUser = try Settings.maxConnectionsPerUser.read(from: reader)
        pingInterval = try Settings.pingInterval.read(from: reader)
        pingTimeout = try Settings.pingTimeout.read(from: reader)
        connectTimeout = try Settings.connectTimeout.read(from: reader)
        maxPayload = try Settings.maxPayload.read(from: reader)
        requestHeadTimeout = try Settings.requestHeadTimeout.read(from: reader)
        requestBodyTimeout = try Settings.requestBodyTimeout.read(from: reader)
        httpIdleTimeout = try Settings.httpIdleTimeout.read(from: reader)
        logFormat = try Settings.logFormat.read(from: reader)
        maxConnections = try Settings.maxConnections.read(from: reader)
        maxOutboundBytes = try Settings.maxOutboundBytes.read(from: reader)
        maxPendingSessionsPerAddress = try Settings.maxPendingSessionsPerAddress.read(from: reader)
        trustedProxies = Set(try Settings.trustedProxies.read(from: reader))
        maxBodyBytes = try Settings.maxBodyBytes.read(from: reader)
        shutdownTimeout = try Settings.shutdownTimeout.read(from: reader)
        metricsToken = try Settings.metricsToken.read(from: reader)
        demoLogin = try Settings.demoLogin.read(from: reader)
        socketIOClientBundle = try Settings.socketIOClientBundle.read(from: reader)
        broadcastAdapter = try Settings.broadcastAdapter.read(from: reader)
        nodeId = try Settings.nodeId.read(from: reader) ?? "node-" + UUID().uuidString.prefix(8).lowercased()
        recoveryWindow = try Settings.recoveryWindow.read(from: reader)
        editWindow = try Settings.editWindow.read(from: reader)
        presenceTimeout = try Settings.presenceTimeout.read(from: reader)
        searchIndexDelay = try Settings.searchIndexDelay.read(from: reader)
        webhooks = try Self.webhookSettings(from: reader)
        contactFilter = ContactFilter(
            mode: try Settings.contactFilter.read(from: reader),
            allowedDomains: try Settings.contactAllowedDomains.read(from: reader),
            sharingStatuses: try Settings.contactSharingStatuses.read(from: reader)
        )
        searchLanguage = try Settings.searchLanguage.read(from: reader)
        tracesExporter = try Settings.tracesExporter.read(from: reader)
    }

    /// The settings in `environment` alone (no file): for tests and tools.
    init(environment: [String: String]) throws {
        try self.init(reader: ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: environment)))
    }

    /// The webhook settings when `WEBHOOK_URL` is set, which then needs `WEBHOOK_SECRET`.
    private static func webhookSettings(from reader: ConfigReader) throws -> WebhookSettings? {
        guard let url = try Settings.webhookURL.read(from: reader) else { return nil }
        guard let secret = try Settings.webhookSecret.read(from: reader) else {
            throw ConfigurationError(description: "WEBHOOK_URL needs WEBHOOK_SECRET (at least 16 bytes)")
        }
        return WebhookSettings(
            url: url,
            secret: secret,
            maxAttempts: try Settings.webhookMaxAttempts.read(from: reader),
            backoff: try Settings.webhookBackoff.read(from: reader),
            timeout: try Settings.webhookTimeout.read(from: reader),
            unreadReminder: try Settings.unreadReminder.read(from: reader)
        )
    }

    /// The JWT secret, which every command that checks or mints tokens needs.
    func requireJWTSecret() throws -> String {
        guard let jwtSecret else {
            throw ConfigurationError(description: "JWT_SECRET is required (at least 32 bytes)")
        }
        return jwtSecret
    }
}

extension ServerConfiguration {
    /// The Socket.IO server's settings (and its engine's) from this configuration.
    var socketServerConfiguration: SocketServerConfiguration {
        var socket = SocketServerConfiguration()
        socket.engine.allowedOrigins = corsOrigins
        socket.engine.pingInterval = pingInterval
        socket.engine.pingTimeout = pingTimeout
        socket.engine.maxPayload = maxPayload
        socket.engine.maxSessions = maxConnections
        socket.engine.maxPendingSessionsPerAddress = maxPendingSessionsPerAddress
        socket.engine.trustedProxies = trustedProxies
        socket.engine.maxOutboundBytes = maxOutboundBytes
        socket.engine.requestHeadTimeout = requestHeadTimeout
        socket.engine.requestBodyTimeout = requestBodyTimeout
        socket.connectTimeout = connectTimeout
        socket.drainTimeout = shutdownTimeout
        return socket
    }
}
