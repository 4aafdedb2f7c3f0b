import APIRuntime
import Foundation
import Generated
import Handlers
import Logging

/// Every setting of the server, each declared once with its default and its meaning. The README's configuration
/// table is printed from `all` (`messaging-server settings --markdown`), and the test suite checks that the two
/// agree.
enum Settings {
    static let port = Setting<Int>.count(
        "PORT",
        default: 8000,
        in: 1...65535,
        aliases: ["WS_PORT"],
        "HTTP and Socket.IO port"
    )
    static let host = Setting<String>.text("HOST", default: "0.0.0.0", "bind address")
    static let database = Setting<DatabaseLocation?>(
        name: "DATABASE_URL",
        defaultValue: nil,
        defaultText: "unset: embedded cluster",
        meaning: "`postgres://user:password@host:5432/database`, with libpq's `?sslmode=` `disable` (default), "
            + "`prefer`, `require`, `verify-ca` or `verify-full` and `&sslrootcert=/path/ca.pem` for managed databases "
            + "that require TLS; a certificate that fails verification, an unreadable root file or an unknown mode "
            + "stops start-up with one line",
        isSecret: true,
        expectation: "a postgres:// URL",
        parse: { try DatabaseLocation(url: $0) }
    )
    static let databasePoolSize = Setting<Int>.count(
        "DATABASE_POOL_SIZE",
        default: 20,
        "connections to PostgreSQL each node opens at start and keeps"
    )
    static let databaseKeepAlive = Setting<Duration?>(
        name: "DATABASE_KEEPALIVE_S",
        defaultValue: nil,
        defaultText: "unset: none",
        meaning: "seconds an unused pooled connection waits before a `SELECT 1` keeps it alive (for firewalls or "
            + "proxies that drop quiet connections); `0` is none; costs a timer per query",
        expectation: "a whole number of seconds",
        parse: { text in
            guard let seconds = Int64(text), seconds >= 0 else { return nil }
            return .some(seconds == 0 ? nil : .seconds(seconds))
        }
    )
    static let databaseTimeout = Setting<Duration>.duration(
        "DATABASE_TIMEOUT_MS",
        default: .milliseconds(4_000),
        "how long a request or socket event waits for the database before 503 / a `SERVICE_UNAVAILABLE` ack; a "
            + "write that already has its connection is waited for instead, so an answer never contradicts what was "
            + "committed"
    )
    static let statementTimeout = Setting<Duration>.duration(
        "DATABASE_STATEMENT_TIMEOUT_MS",
        default: .milliseconds(5_000),
        "PostgreSQL's `statement_timeout` on every pooled connection: a statement past it is cancelled by PostgreSQL "
            + "(nothing stored, `SERVICE_UNAVAILABLE`); migrations run without it"
    )
    static let eventLoopThreads = Setting<Int?>(
        name: "EVENT_LOOP_THREADS",
        defaultValue: nil,
        defaultText: "one per core",
        meaning: "threads that do the server's I/O and run its handlers; when PostgreSQL shares a small machine with "
            + "the server, fewer threads than cores can be faster (each hand-over between threads is a wake-up; see "
            + "BENCHMARKS.md)",
        expectation: "a whole number from 1 to 1024",
        parse: { text -> Int?? in
            guard let threads = Int(text), (1...1024).contains(threads) else { return .none }
            return .some(threads)
        }
    )
    static let dataDirectory = Setting<String>.text(
        "DATA_DIR",
        default: "data",
        "where the embedded cluster keeps its files"
    )
    static let jwtSecret = Setting<String?>.text(
        "JWT_SECRET",
        unset: "required",
        secret: true,
        expectation: "at least 32 bytes long (HS256)",
        "HS256 key, at least 32 bytes",
        valid: { $0.utf8.count >= 32 }
    )
    static let jwtExpiration = Setting<Int>(
        name: "JWT_EXPIRATION",
        defaultValue: 86_400,
        defaultText: "`86400`",
        meaning: "lifetime of tokens minted by `token`/`seed-demo`: seconds, or jsonwebtoken's forms (`7d`, `12h`, "
            + "`30m`, `45s`, `2 days`); at least a second",
        expectation: "a lifetime of at least a second such as 7d, 12h, 30m, 45s or 3600 (seconds)",
        parse: { TokenLifetime.seconds(parsing: $0) }
    )
    static let jwtIssuer = Setting<String?>.text(
        "JWT_ISSUER",
        unset: "unset",
        "when set, tokens must carry this `iss`"
    )
    static let jwtAudience = Setting<String?>.text(
        "JWT_AUDIENCE",
        unset: "unset",
        "when set, tokens must carry this `aud`"
    )
    static let corsOrigins = Setting<[String]>.list(
        "CORS_ORIGINS",
        unset: "unset: any origin",
        "comma-separated browser origins allowed for REST and the polling transport; others get 403"
    )
    static let rateLimitSend = rateRule(
        "RATE_LIMIT_SEND",
        default: MessagingLimits().send,
        "per-user message sends (REST and socket together), `rate/burst` per second; 429 + `Retry-After` / "
            + "`RATE_LIMITED` ack"
    )
    static let rateLimitTyping = rateRule(
        "RATE_LIMIT_TYPING",
        default: MessagingLimits().typing,
        "per-user typing updates"
    )
    static let rateLimitEvents = rateRule(
        "RATE_LIMIT_EVENTS",
        default: MessagingLimits().events,
        "per-user socket events other than sends and typing"
    )
    static let rateLimitREST = rateRule(
        "RATE_LIMIT_REST",
        default: MessagingLimits().rest,
        "per-user authenticated REST calls"
    )
    static let maxConnectionsPerUser = Setting<Int>.count(
        "MAX_CONNECTIONS_PER_USER",
        default: MessagingLimits().maxConnectionsPerUser,
        "the newest socket past it gets `connect_error` with code `RATE_LIMITED`; exact under concurrent CONNECTs (a "
            + "CONNECT holds its place from the check until its socket is in; one whose session closed meanwhile "
            + "gives it back within 30 s)"
    )
    static let pingInterval = Setting<Duration>.duration(
        "PING_INTERVAL_MS",
        default: .milliseconds(25_000),
        "Socket.IO heartbeat: how often the server pings"
    )
    static let pingTimeout = Setting<Duration>.duration(
        "PING_TIMEOUT_MS",
        default: .milliseconds(20_000),
        "how long after a ping the client's pong may take before the session is closed"
    )
    static let connectTimeout = Setting<Duration>.duration(
        "CONNECT_TIMEOUT_MS",
        default: .milliseconds(45_000),
        "how long an Engine.IO session may stay connected to no namespace"
    )
    static let requestHeadTimeout = Setting<Duration>.duration(
        "HTTP_HEADER_TIMEOUT_S",
        default: .seconds(30),
        "a new connection that has not sent a complete request head within it is closed"
    )
    static let httpIdleTimeout = Setting<Duration>.duration(
        "HTTP_IDLE_TIMEOUT_S",
        default: .seconds(60),
        "a kept-alive connection idle for it is closed (a pending long-poll is a request, not idle)"
    )
    static let requestBodyTimeout = Setting<Duration>.duration(
        "HTTP_BODY_TIMEOUT_S",
        default: .seconds(10),
        "the body of a polling POST must arrive within it, or its connection and its Engine.IO session are closed"
    )
    static let maxPayload = Setting<Int>.count(
        "MAX_PAYLOAD",
        default: 1_000_000,
        "largest Engine.IO packet or polling payload in bytes"
    )
    static let serviceAPIKey = Setting<String?>.text(
        "SERVICE_API_KEY",
        unset: "unset: provisioning off",
        secret: true,
        "key of the `/api/internal` provisioning endpoints"
    )
    static let maxConnections = Setting<Int>.count(
        "MAX_CONNECTIONS",
        default: 10_000,
        "Engine.IO sessions on this node; past it the polling handshake gets 503 "
            + #"`{"code":4,"message":"Server is at its connection limit"}` with `Retry-After`, and a WebSocket "#
            + "handshake is refused before the upgrade with the same answer; clients retry with their back-off"
    )
    static let maxOutboundBytes = Setting<Int>.count(
        "MAX_OUTBOUND_BYTES",
        default: 1_000_000,
        "bytes of messages that may wait for one client: queued for its next poll, or held while its WebSocket is "
            + "not writable (the client does not read; the WebSocket transport stops writing then); past it the "
            + #"session is closed as a slow consumer (`engineio_sessions_closed_total{reason="slow consumer"}`)"#
    )
    static let maxPendingSessionsPerAddress = Setting<Int>.count(
        "MAX_PENDING_SESSIONS_PER_ADDRESS",
        default: 100,
        "Engine.IO sessions one client address may hold while they are connected to no namespace (before CONNECT, "
            + "after DISCONNECT, or refused); its next handshakes get 429 "
            + #"`{"code":4,"message":"Too many sessions from this address"}`; such sessions close after "#
            + #"`CONNECT_TIMEOUT_MS`. Counted in `engineio_sessions_refused_total{reason="pending_per_address"}`"#
    )
    static let trustedProxies = Setting<[String]>.list(
        "TRUSTED_PROXIES",
        unset: "unset: none",
        "comma-separated IP addresses of reverse proxies; a request from one of them counts by the last address its "
            + "`X-Forwarded-For` names, any other request by its peer address"
    )
    static let maxBodyBytes = Setting<Int>.count(
        "MAX_BODY_BYTES",
        default: 262_144,
        "largest REST request body; a larger declared or streamed body gets 413 `PAYLOAD_TOO_LARGE`"
    )
    static let shutdownTimeout = Setting<Duration>.duration(
        "SHUTDOWN_TIMEOUT_MS",
        default: .milliseconds(10_000),
        "on SIGTERM/SIGINT, how long received socket events may take to finish (see *Shutdown*); the process exits "
            + "within about twice this"
    )
    static let logLevel = Setting<Logger.Level>.choice(
        "LOG_LEVEL",
        default: .info,
        "trace, debug, info, notice, warning, error, critical"
    )
    static let logFormat = Setting<ServerConfiguration.LogFormat>.choice(
        "LOG_FORMAT",
        default: .text,
        "`json`: one JSON object per line (`ts`, `level`, `logger`, `message`, metadata)"
    )
    static let metricsToken = Setting<String?>.text(
        "METRICS_TOKEN",
        unset: "unset: open",
        secret: true,
        "when set, `GET /metrics` needs `Authorization: Bearer <token>`"
    )
    static let broadcastAdapter = Setting<ServerConfiguration.BroadcastAdapterKind>.choice(
        "BROADCAST_ADAPTER",
        default: .local,
        "`postgres` fans broadcasts out to every node through LISTEN/NOTIFY (see *Several nodes*)"
    )
    static let nodeId = Setting<String?>(
        name: "NODE_ID",
        defaultValue: nil,
        defaultText: "random",
        meaning: "this node's name in cross-node broadcasts and logs (at most 64 characters)",
        expectation: "at most 64 characters",
        parse: { text -> String?? in
            guard text.count <= 64 else { return .none }
            return .some(text)
        }
    )
    static let recoveryWindow = Setting<Duration?>(
        name: "RECOVERY_WINDOW_S",
        defaultValue: .seconds(120),
        defaultText: "`120`",
        meaning: "how long after losing its connection a client gets its session back (rooms and missed events); `0` "
            + "turns connection state recovery off",
        expectation: "a whole number of seconds from 0 (off) to 86400",
        parse: { text in
            guard let seconds = Int64(text), (0...86_400).contains(seconds) else { return nil }
            return .some(seconds == 0 ? nil : .seconds(seconds))
        }
    )
    static let editWindow = Setting<Duration>.duration(
        "EDIT_WINDOW_S",
        default: .seconds(900),
        "how long after sending it a sender may edit a text message (`PATCH …/messages/{messageId}`, "
            + "`edit_message`); later edits get 409 `CONFLICT`"
    )
    static let presenceTimeout = Setting<Duration>.duration(
        "PRESENCE_TIMEOUT_S",
        default: .seconds(15),
        "how long a node may go without its presence heartbeat (beaten every third of it) before the users whose "
            + "sockets it held count as offline: a node that dies takes at most this long, plus a beat, to be seen "
            + "as gone. A user's last socket closing makes them offline after 2 s (a page reload does not flicker)"
    )
    static let searchIndexDelay = Setting<Duration>.duration(
        "SEARCH_INDEX_DELAY_MS",
        default: .milliseconds(200),
        "how long after a send its message becomes findable by search: the node writes the search vectors of the "
            + "sends of that time together, after their commits (edits and deletions change the index at once)"
    )
    static let webhookURL = Setting<String?>.text(
        "WEBHOOK_URL",
        unset: "unset: webhooks off",
        expectation: "an http:// or https:// URL",
        "where every node POSTs the webhook events (`message.created` for an offline recipient, "
            + "`message.unread_reminder`, `message.read`, `conversation.created`; see the `webhooks` channel of "
            + "`api-spec/asyncapi.yaml`); every node of a deployment has the same one",
        valid: { $0.hasPrefix("http://") || $0.hasPrefix("https://") }
    )
    static let webhookSecret = Setting<String?>.text(
        "WEBHOOK_SECRET",
        unset: "required with `WEBHOOK_URL`",
        secret: true,
        expectation: "at least 16 bytes long",
        "HMAC-SHA256 key of the `Webhook-Signature` header (`v1=<hex of HMAC(\"<Webhook-Timestamp>.<body>\")>`)",
        valid: { $0.utf8.count >= 16 }
    )
    static let webhookMaxAttempts = Setting<Int>.count(
        "WEBHOOK_MAX_ATTEMPTS",
        default: 10,
        in: 1...100,
        "attempts at one event before it is dead (listed by `GET /api/internal/webhooks?state=dead`, sent again by "
            + "`POST /api/internal/webhooks/{eventId}/replay`); later events of its conversation wait for it until then"
    )
    static let webhookBackoff = Setting<Duration>.duration(
        "WEBHOOK_BACKOFF_MS",
        default: .milliseconds(1_000),
        "the wait after an event's first failed attempt (not 2xx, or no answer); it doubles after each further one, "
            + "up to an hour"
    )
    static let webhookTimeout = Setting<Duration>.duration(
        "WEBHOOK_TIMEOUT_MS",
        default: .milliseconds(10_000),
        "how long one delivery attempt may take before it counts as failed"
    )
    static let unreadReminder = Setting<Duration?>(
        name: "UNREAD_REMINDER_S",
        defaultValue: .seconds(900),
        defaultText: "`900`",
        meaning: "how long a message stays unread before its recipient's `message.unread_reminder` webhook (one for "
            + "all the messages of a conversation that waited that long; the next one for a newer message); `0` is "
            + "none",
        expectation: "a whole number of seconds",
        parse: { text in
            guard let seconds = Int64(text), seconds >= 0, seconds <= Int64(Int32.max) else { return nil }
            return .some(seconds == 0 ? nil : .seconds(seconds))
        }
    )
    static let contactFilter = Setting<ContactFilter.Mode>.choice(
        "CONTACT_FILTER",
        default: .mask,
        "email addresses, phone numbers and links to other domains in message text (also written as \"name at "
            + "mail dot com\", with spelled-out digits or look-alike letters): `mask` stores and delivers them as "
            + "`[email hidden]`, `[phone hidden]`, `[link hidden]` and tells the sender in `contactDetailsHidden` of "
            + "the ack or response; `block` refuses the message with 422 `CONTACT_DETAILS`; `off` leaves text as "
            + "written"
    )
    static let contactAllowedDomains = Setting<[String]>.list(
        "CONTACT_ALLOWED_DOMAINS",
        unset: "none",
        "comma-separated domains whose links (and their subdomains') the contact filter keeps, such as the "
            + "marketplace's own"
    )
    static let contactSharingStatuses = Setting<Set<ContractStatus>>(
        name: "CONTACT_SHARING_STATUSES",
        defaultValue: [],
        defaultText: "none",
        meaning: "comma-separated contract statuses (`active`, `paused`, `completed`, `cancelled`) in which the "
            + "parties may share contact details: the filter leaves their messages alone. Only an active "
            + "contract's conversations take messages, so `active` turns the filter off for every message",
        expectation: "a comma-separated list of active, paused, completed, cancelled",
        parse: { text -> Set<ContractStatus>? in
            var statuses = Set<ContractStatus>()
            for item in text.split(separator: ",") {
                let name = item.trimmingCharacters(in: .whitespaces).lowercased()
                guard !name.isEmpty else { continue }
                guard let status = ContractStatus(rawValue: name) else { return nil }
                statuses.insert(status)
            }
            return statuses
        }
    )
    static let searchLanguage = Setting<String>.text(
        "SEARCH_LANGUAGE",
        default: "english",
        "language of message search: a PostgreSQL text search configuration (`english`, `german`, `french`, "
            + "`spanish`, …; `simple` matches words as written); an unknown one searches with `simple`. Nodes "
            + "share one: a change rebuilds the search index at the next start"
    )
    static let demoLogin = Setting<Bool>.flag(
        "DEMO_LOGIN",
        "`true` lists the demo users with fresh tokens at `GET /demo/users` for the test page; development only"
    )
    static let socketIOClientBundle = Setting<String>.text(
        "SOCKET_IO_CLIENT_JS",
        default: ".tools/socket.io.min.js",
        "the official client bundle served at `/socket.io/socket.io.js`"
    )
    static let tracesExporter = Setting<ServerConfiguration.TracesExporter>.choice(
        "OTEL_TRACES_EXPORTER",
        default: .none,
        "`otlp` records a span per REST request, per socket event and per database call and exports them over "
            + "OTLP/HTTP (swift-otel), and JSON log lines carry the `trace_id` and `span_id` of the span they were "
            + "written in. swift-otel reads the standard variables from the environment: "
            + "`OTEL_EXPORTER_OTLP_ENDPOINT` (default `http://localhost:4318`), "
            + "`OTEL_EXPORTER_OTLP_TRACES_PROTOCOL` (`http/protobuf` or `http/json`), `OTEL_SERVICE_NAME` (default "
            + "`messaging-server`), `OTEL_TRACES_SAMPLER`, `OTEL_BSP_SCHEDULE_DELAY`, …"
    )
    /// Read from the process's environment only, before the others.
    static let environmentFile = Setting<String>.text(
        "ENV_FILE",
        default: ".env",
        "a file of `NAME=value` lines (`#` comments) read for every setting above that the environment does not set; "
            + "a missing file is no error"
    )

    /// Every setting, in the order of the README's table.
    static let all: [SettingDocumentation] = [
        port.documentation, host.documentation, database.documentation, databasePoolSize.documentation,
        databaseKeepAlive.documentation, databaseTimeout.documentation, statementTimeout.documentation,
        eventLoopThreads.documentation, dataDirectory.documentation, jwtSecret.documentation,
        jwtExpiration.documentation, jwtIssuer.documentation, jwtAudience.documentation, corsOrigins.documentation,
        rateLimitSend.documentation, rateLimitTyping.documentation, rateLimitEvents.documentation,
        rateLimitREST.documentation, maxConnectionsPerUser.documentation, pingInterval.documentation,
        pingTimeout.documentation, connectTimeout.documentation, requestHeadTimeout.documentation,
        httpIdleTimeout.documentation, requestBodyTimeout.documentation, maxPayload.documentation,
        serviceAPIKey.documentation, maxConnections.documentation, maxOutboundBytes.documentation,
        maxPendingSessionsPerAddress.documentation, trustedProxies.documentation, maxBodyBytes.documentation,
        shutdownTimeout.documentation, logLevel.documentation, logFormat.documentation, metricsToken.documentation,
        broadcastAdapter.documentation, nodeId.documentation, recoveryWindow.documentation, editWindow.documentation,
        presenceTimeout.documentation, webhookURL.documentation, webhookSecret.documentation,
        webhookMaxAttempts.documentation, webhookBackoff.documentation, webhookTimeout.documentation,
        unreadReminder.documentation, contactFilter.documentation, contactAllowedDomains.documentation,
        contactSharingStatuses.documentation,
        searchLanguage.documentation, searchIndexDelay.documentation, demoLogin.documentation,
        socketIOClientBundle.documentation, tracesExporter.documentation, environmentFile.documentation,
    ]

    private static func rateRule(
        _ name: String,
        default rule: RateLimiter.Rule,
        _ meaning: String
    ) -> Setting<RateLimiter.Rule> {
        Setting(
            name: name,
            defaultValue: rule,
            defaultText: "`\(Int(rule.rate))/\(Int(rule.burst))`",
            meaning: meaning,
            expectation: "'rate/burst' such as 5/20",
            parse: { text in
                let parts = text.split(separator: "/")
                guard parts.count == 2, let rate = Double(parts[0]), let burst = Double(parts[1]), rate > 0,
                    burst >= 1
                else { return nil }
                return RateLimiter.Rule(rate: rate, burst: burst)
            }
        )
    }
}
