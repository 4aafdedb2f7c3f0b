import APIRuntime
import Foundation
import Handlers
import Logging
import SocketIO

/// A bad or missing setting; its description is one line naming the variable.
struct ConfigurationError: Error, CustomStringConvertible {
    var description: String
}

/// Everything the server reads from the environment, read once at start-up.
struct ServerConfiguration: Sendable {
    /// `HOST`: the address to bind (default `0.0.0.0`).
    var host: String
    /// `PORT` (alias `WS_PORT`): HTTP and Socket.IO share it (default 8000).
    var port: Int
    /// `LOG_LEVEL`: trace, debug, info, notice, warning, error or critical (default info).
    var logLevel: Logger.Level
    /// `DATABASE_URL`: `postgres://user:password@host:port/database`; unset runs the embedded cluster.
    var databaseURL: String?
    /// `DATABASE_POOL_SIZE`: connections to PostgreSQL this node opens at start and keeps (default 20).
    var databasePoolSize = 20
    /// `EVENT_LOOP_THREADS`: threads that do the server's I/O and run its tasks (default: one per core). Read before
    /// anything starts (see `MessagingServer.main`); here so that a bad value is reported like any other.
    var eventLoopThreads: Int?
    /// `DATABASE_KEEPALIVE_S`: seconds an unused pooled connection waits before a `SELECT 1` keeps it alive (for
    /// firewalls or proxies that drop quiet connections); unset or 0: no keep-alive queries. Each query then arms
    /// and cancels a timer, which costs about a tenth of the server's time on a history read.
    var databaseKeepAlive: Duration?
    /// `DATABASE_TIMEOUT_MS` (default 4000): how long a request or event waits for a database call before it is
    /// answered SERVICE_UNAVAILABLE. A write that already has its connection is waited for instead (see below).
    var databaseTimeout: Duration = .milliseconds(4_000)
    /// `DATABASE_STATEMENT_TIMEOUT_MS` (default 5000): PostgreSQL's `statement_timeout` on every pooled
    /// connection; it bounds how long a write that has started can keep its caller waiting.
    var statementTimeoutMilliseconds = 5_000
    /// `DATA_DIR`: where the embedded cluster keeps its files (default `./data`).
    var dataDirectory: String
    /// `JWT_SECRET`: the HS256 key, at least 32 bytes.
    var jwtSecret: String?
    /// `JWT_EXPIRATION`: lifetime in seconds of the tokens the CLI mints (default 86400; `7d`, `12h`, `30m`, `45s` forms).
    var jwtExpiration: Int
    /// `JWT_ISSUER` / `JWT_AUDIENCE`: when set, tokens must carry this `iss` / `aud`.
    var jwtIssuer: String?
    var jwtAudience: String?
    /// `CORS_ORIGINS`: comma-separated origins allowed from browsers; unset allows any origin.
    var corsOrigins: [String]?
    /// `SERVICE_API_KEY`: the key of the provisioning endpoints; unset disables them.
    var serviceAPIKey: String?
    /// `RATE_LIMIT_SEND`, `RATE_LIMIT_TYPING`, `RATE_LIMIT_EVENTS`, `RATE_LIMIT_REST` as `rate/burst` (per second,
    /// per user) and `MAX_CONNECTIONS_PER_USER`.
    var limits = MessagingLimits()
    /// `PING_INTERVAL_MS`, `PING_TIMEOUT_MS`, `CONNECT_TIMEOUT_MS` (Socket.IO defaults 25000, 20000, 45000) and
    /// `MAX_PAYLOAD` (bytes of one Engine.IO packet or polling payload, default 1000000).
    var pingInterval: Duration = .milliseconds(25_000)
    var pingTimeout: Duration = .milliseconds(20_000)
    var connectTimeout: Duration = .milliseconds(45_000)
    var maxPayload = 1_000_000
    /// `HTTP_HEADER_TIMEOUT_S` (default 30): a new connection's first request head must be complete within it.
    /// `HTTP_IDLE_TIMEOUT_S` (default 60): a kept-alive connection with no request for that long is closed.
    var requestHeadTimeout: Duration = .seconds(30)
    /// `HTTP_BODY_TIMEOUT_S` (default 10): the body of a polling POST must arrive within it, or the connection and
    /// the session are closed.
    var requestBodyTimeout: Duration = .seconds(10)
    var httpIdleTimeout: Duration = .seconds(60)
    /// `LOG_FORMAT`: `text` (default) or `json` (one object per line).
    var logFormat: LogFormat = .text
    /// `MAX_CONNECTIONS`: Engine.IO sessions open at once on this node (default 10000); more get 503.
    var maxConnections = 10_000
    /// `MAX_OUTBOUND_BYTES` (default 1000000): bytes of messages that may wait for one client (its next poll, or
    /// its WebSocket while the client does not read); past it the session is closed as a slow consumer.
    var maxOutboundBytes = 1_000_000
    /// `MAX_PENDING_SESSIONS_PER_ADDRESS` (default 100): Engine.IO sessions one client address may hold while they
    /// are connected to no namespace (before CONNECT, after DISCONNECT, or refused); its next handshakes get 429.
    /// Such sessions are closed after `CONNECT_TIMEOUT_MS`.
    var maxPendingSessionsPerAddress = 100
    /// `TRUSTED_PROXIES`: comma-separated IP addresses of the reverse proxies in front of the server; a request
    /// from one of them is counted by the last address its `X-Forwarded-For` names. Unset: none.
    var trustedProxies: Set<String> = []
    /// `MAX_BODY_BYTES`: largest REST request body (default 262144); larger ones get 413.
    var maxBodyBytes = 262_144
    /// `SHUTDOWN_TIMEOUT_MS`: on SIGTERM/SIGINT, how long events already received may take to finish before
    /// the clients' transports are closed (default 10000); the process exits within about twice this.
    var shutdownTimeout: Duration = .seconds(10)
    /// `METRICS_TOKEN`: when set, `GET /metrics` needs `Authorization: Bearer <token>`.
    var metricsToken: String?
    /// `DEMO_LOGIN`: `true` lists the demo users with fresh tokens at `GET /demo/users` for the test page; never in
    /// production.
    var demoLogin = false
    /// `SOCKET_IO_CLIENT_JS`: the official client bundle served at `/socket.io/socket.io.js` (default
    /// `.tools/socket.io.min.js`, which scripts/setup.sh fetches).
    var socketIOClientBundle = ".tools/socket.io.min.js"

    /// `BROADCAST_ADAPTER`: `local` (default, one node) or `postgres` (LISTEN/NOTIFY fan-out; set it on every node
    /// when several share one database).
    var broadcastAdapter: BroadcastAdapterKind = .local
    /// `NODE_ID`: this node's name in cross-node broadcasts and logs (default: random).
    var nodeId: String
    /// `RECOVERY_WINDOW_S`: how long after losing its connection a client gets its session back, rooms and missed
    /// events included (default 120, the reference's `maxDisconnectionDuration`); 0 turns recovery off.
    var recoveryWindow: Duration? = .seconds(120)

    enum BroadcastAdapterKind: String, Sendable {
        case local
        case postgres
    }

    enum LogFormat: String, Sendable {
        case text
        case json
    }

    init(environment: [String: String]) throws {
        host = environment["HOST"] ?? "0.0.0.0"
        let portText = environment["PORT"] ?? environment["WS_PORT"] ?? "8000"
        guard let port = Int(portText), (1...65535).contains(port) else {
            let name = environment["PORT"] != nil ? "PORT" : "WS_PORT"
            throw ConfigurationError(description: "\(name) must be a port number from 1 to 65535, not '\(portText)'")
        }
        self.port = port
        let levelText = environment["LOG_LEVEL"] ?? "info"
        guard let level = Logger.Level(rawValue: levelText.lowercased()) else {
            throw ConfigurationError(
                description: "LOG_LEVEL must be one of trace, debug, info, notice, warning, error, critical"
            )
        }
        logLevel = level
        databaseURL = environment["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
        // Parsed here so that a bad URL, mode or root certificate is reported like any other setting.
        if let databaseURL { _ = try DatabaseLocation(url: databaseURL) }
        databasePoolSize = try Self.positive(environment, "DATABASE_POOL_SIZE", default: 20)
        eventLoopThreads = try Self.eventLoopThreads(environment)
        if let keepAliveText = environment["DATABASE_KEEPALIVE_S"], !keepAliveText.isEmpty, keepAliveText != "0" {
            guard let seconds = Int(keepAliveText), seconds > 0 else {
                throw ConfigurationError(
                    description: "DATABASE_KEEPALIVE_S must be a whole number of seconds, not '\(keepAliveText)'"
                )
            }
            databaseKeepAlive = .seconds(seconds)
        }
        databaseTimeout = .milliseconds(try Self.positive(environment, "DATABASE_TIMEOUT_MS", default: 4_000))
        statementTimeoutMilliseconds = try Self.positive(environment, "DATABASE_STATEMENT_TIMEOUT_MS", default: 5_000)
        dataDirectory = environment["DATA_DIR"] ?? "data"
        jwtSecret = environment["JWT_SECRET"].flatMap { $0.isEmpty ? nil : $0 }
        if let jwtSecret, jwtSecret.utf8.count < 32 {
            throw ConfigurationError(description: "JWT_SECRET must be at least 32 bytes long (HS256)")
        }
        let expirationText = environment["JWT_EXPIRATION"].flatMap { $0.isEmpty ? nil : $0 } ?? "86400"
        guard let expiration = TokenLifetime.seconds(parsing: expirationText) else {
            throw ConfigurationError(
                description: "JWT_EXPIRATION must be a lifetime of at least a second such as 7d, 12h, 30m, 45s or "
                    + "3600 (seconds), not '\(expirationText)'"
            )
        }
        jwtExpiration = expiration
        jwtIssuer = environment["JWT_ISSUER"].flatMap { $0.isEmpty ? nil : $0 }
        jwtAudience = environment["JWT_AUDIENCE"].flatMap { $0.isEmpty ? nil : $0 }
        corsOrigins = environment["CORS_ORIGINS"].flatMap { value in
            let origins = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
                !$0.isEmpty
            }
            return origins.isEmpty ? nil : origins
        }
        serviceAPIKey = environment["SERVICE_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        limits.send = try Self.rule(environment, "RATE_LIMIT_SEND", default: limits.send)
        limits.typing = try Self.rule(environment, "RATE_LIMIT_TYPING", default: limits.typing)
        limits.events = try Self.rule(environment, "RATE_LIMIT_EVENTS", default: limits.events)
        limits.rest = try Self.rule(environment, "RATE_LIMIT_REST", default: limits.rest)
        limits.maxConnectionsPerUser = try Self.positive(environment, "MAX_CONNECTIONS_PER_USER", default: 10)
        pingInterval = .milliseconds(try Self.positive(environment, "PING_INTERVAL_MS", default: 25_000))
        pingTimeout = .milliseconds(try Self.positive(environment, "PING_TIMEOUT_MS", default: 20_000))
        connectTimeout = .milliseconds(try Self.positive(environment, "CONNECT_TIMEOUT_MS", default: 45_000))
        maxPayload = try Self.positive(environment, "MAX_PAYLOAD", default: 1_000_000)
        requestHeadTimeout = .seconds(try Self.positive(environment, "HTTP_HEADER_TIMEOUT_S", default: 30))
        httpIdleTimeout = .seconds(try Self.positive(environment, "HTTP_IDLE_TIMEOUT_S", default: 60))
        requestBodyTimeout = .seconds(try Self.positive(environment, "HTTP_BODY_TIMEOUT_S", default: 10))
        let formatText = environment["LOG_FORMAT"] ?? "text"
        guard let format = LogFormat(rawValue: formatText.lowercased()) else {
            throw ConfigurationError(description: "LOG_FORMAT must be text or json, not '\(formatText)'")
        }
        logFormat = format
        maxConnections = try Self.positive(environment, "MAX_CONNECTIONS", default: 10_000)
        maxBodyBytes = try Self.positive(environment, "MAX_BODY_BYTES", default: 262_144)
        maxOutboundBytes = try Self.positive(environment, "MAX_OUTBOUND_BYTES", default: 1_000_000)
        maxPendingSessionsPerAddress = try Self.positive(environment, "MAX_PENDING_SESSIONS_PER_ADDRESS", default: 100)
        trustedProxies = Set(
            (environment["TRUSTED_PROXIES"] ?? "").split(separator: ",")
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        )
        shutdownTimeout = .milliseconds(try Self.positive(environment, "SHUTDOWN_TIMEOUT_MS", default: 10_000))
        metricsToken = environment["METRICS_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        demoLogin = ["1", "true", "yes"].contains((environment["DEMO_LOGIN"] ?? "").lowercased())
        if let bundle = environment["SOCKET_IO_CLIENT_JS"], !bundle.isEmpty { socketIOClientBundle = bundle }
        let adapterText = environment["BROADCAST_ADAPTER"] ?? "local"
        guard let adapter = BroadcastAdapterKind(rawValue: adapterText.lowercased()) else {
            throw ConfigurationError(description: "BROADCAST_ADAPTER must be local or postgres, not '\(adapterText)'")
        }
        broadcastAdapter = adapter
        if let text = environment["RECOVERY_WINDOW_S"], !text.isEmpty {
            guard let seconds = Int(text), (0...86_400).contains(seconds) else {
                throw ConfigurationError(
                    description:
                        "RECOVERY_WINDOW_S must be a whole number of seconds from 0 (off) to 86400, not '\(text)'"
                )
            }
            recoveryWindow = seconds == 0 ? nil : .seconds(seconds)
        }
        nodeId =
            environment["NODE_ID"].flatMap { $0.isEmpty ? nil : String($0.prefix(64)) }
            ?? "node-" + UUID().uuidString.prefix(8).lowercased()
    }

    /// `EVENT_LOOP_THREADS`, nil when unset (one thread per core).
    static func eventLoopThreads(_ environment: [String: String]) throws -> Int? {
        guard environment["EVENT_LOOP_THREADS"] != nil else { return nil }
        let threads = try positive(environment, "EVENT_LOOP_THREADS", default: 1)
        guard threads <= 1024 else {
            throw ConfigurationError(description: "EVENT_LOOP_THREADS must be at most 1024, not '\(threads)'")
        }
        return threads
    }

    private static func positive(_ environment: [String: String], _ name: String, default value: Int) throws -> Int {
        guard let text = environment[name] else { return value }
        guard let number = Int(text), number > 0 else {
            throw ConfigurationError(description: "\(name) must be a positive whole number, not '\(text)'")
        }
        return number
    }

    private static func rule(
        _ environment: [String: String],
        _ name: String,
        default value: RateLimiter.Rule
    ) throws
        -> RateLimiter.Rule
    {
        guard let text = environment[name] else { return value }
        let parts = text.split(separator: "/")
        guard parts.count == 2, let rate = Double(parts[0]), let burst = Double(parts[1]), rate > 0, burst >= 1 else {
            throw ConfigurationError(description: "\(name) must be 'rate/burst' such as 5/20, not '\(text)'")
        }
        return RateLimiter.Rule(rate: rate, burst: burst)
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
