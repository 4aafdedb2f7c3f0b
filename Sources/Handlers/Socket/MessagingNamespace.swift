import APIRuntime
import Foundation
import Generated
import Logging
import SocketIO
import Tracing

/// Wires the `/messages` namespace: authenticates CONNECT, joins the personal room, emits `connected`, and routes
/// every event through the generated dispatcher so that each gets exactly one ack.
public struct MessagingNamespace: Sendable {
    let namespace: Namespace
    let service: MessagingService
    let tokens: any TokenVerifying
    let logger: Logger
    /// Counts this node's sockets per user for presence; nil leaves presence out.
    let presence: PresenceTracker?
    let admissions = ConnectionAdmissions()
    let dispatcher: MessagesEventDispatcher<MessagingEvents>
    let emitter: MessagesEventEmitter

    static let unauthorized = JSONText.object(["code": .string("UNAUTHORIZED")])

    /// Registers the namespace's middleware and handlers on `server`.
    public static func install(
        on server: SocketServer,
        service: MessagingService,
        tokens: any TokenVerifying,
        presence: PresenceTracker? = nil,
        logger: Logger
    ) -> Namespace {
        let namespace = server.namespace(MessagesChannel.namespace)
        let messaging = MessagingNamespace(
            namespace: namespace,
            service: service,
            tokens: tokens,
            logger: logger,
            presence: presence,
            dispatcher: MessagesEventDispatcher(handler: MessagingEvents(service: service), logger: logger),
            emitter: MessagesEventEmitter(sink: NamespaceEventSink(namespace: namespace))
        )
        namespace.use { socket in try await messaging.admit(socket) }
        namespace.onConnection { socket in await messaging.connected(socket) }
        namespace.onDisconnect { socket, reason in messaging.disconnected(socket, reason: reason) }
        namespace.onAnyEvent { socket, event in await messaging.handle(event, from: socket) }
        return namespace
    }

    // MARK: CONNECT

    /// The CONNECT middleware: a valid token, a place within the user's connection limit, and a disconnect at the
    /// token's expiry.
    func admit(_ socket: Socket) async throws {
        let identity = try await authenticate(socket)
        let userId = identity.userId
        let limit = service.limiters.limits.maxConnectionsPerUser
        let room = EventPublisher.userRoom(userId)
        guard admissions.reserve(user: userId, limit: limit, connected: { namespace.sockets(in: room).count }) else {
            ServiceMetrics.connectionRefused("per_user_limit")
            Logger.current.info("Socket connect refused: per-user limit", metadata: ["user.id": "\(userId)"])
            throw ConnectRejection(
                message: "Too many connections for this user (at most \(limit))",
                data: .object(["code": .string("RATE_LIMITED")])
            )
        }
        socket.data = userId
        // A socket lives no longer than its token: at `exp` the server disconnects it, and the client reconnects
        // with a fresh token (or sees "The token has expired" in connect_error).
        if let expiresAt = identity.expiresAt {
            socket.disconnect(at: .now + .seconds(max(0, expiresAt.timeIntervalSinceNow)))
        }
    }

    private func authenticate(_ socket: Socket) async throws -> TokenIdentity {
        guard let token = Self.bearerToken(of: socket) else {
            ServiceMetrics.connectionRefused("unauthorized")
            throw ConnectRejection(message: "Authentication required", data: Self.unauthorized)
        }
        do {
            return try await tokens.identity(fromToken: token)
        } catch {
            ServiceMetrics.connectionRefused("unauthorized")
            let reason = (error as? APIError)?.message ?? "Invalid token"
            Logger.current.info("Socket connect refused: bad token", metadata: ["reason": "\(reason)"])
            throw ConnectRejection(message: reason, data: Self.unauthorized)
        }
    }

    func connected(_ socket: Socket) async {
        guard let userId = socket.data as? String else { return }
        presence?.connected(user: userId)
        logger.info(
            "Socket connected",
            metadata: [
                "socket.id": "\(socket.id)", "engine.sid": "\(socket.sessionId)", "user.id": "\(userId)",
                "recovered": "\(socket.recovered)",
            ]
        )
        socket.join(EventPublisher.userRoom(userId))
        admissions.settle(user: userId)
        try? await emitter.connected(Connected(userId: userId, socketId: socket.id), to: .room(socket.id))
    }

    func disconnected(_ socket: Socket, reason: DisconnectReason) {
        if let userId = socket.data as? String { presence?.disconnected(user: userId) }
        logger.info(
            "Socket disconnected",
            metadata: [
                "socket.id": "\(socket.id)", "engine.sid": "\(socket.sessionId)",
                "user.id": "\((socket.data as? String) ?? "-")", "reason": "\(reason.rawValue)",
            ]
        )
    }

    // MARK: Events

    /// One event: its budget, the generated dispatcher, exactly one ack, and its metrics.
    func handle(_ event: IncomingEvent, from socket: Socket) async {
        guard let userId = socket.data as? String else { return }
        ServiceMetrics.eventReceived(event.name)
        let reply: EventOutcome
        if let wait = limiter(for: event.name)?.acquire(userId) {
            reply = .failure(.rateLimited(retryAfterSeconds: wait))
        } else if service.spans.enabled {
            reply = await traced(event, from: socket, userId: userId)
        } else {
            reply = await dispatch(event, from: socket, userId: userId)
        }
        // The dispatcher's answer is encoded JSON; were it ever not, the client still gets an error ack.
        let ack =
            (try? JSONText(validating: String(decoding: reply.ack, as: UTF8.self)))
            ?? .object(["success": .false, "error": .string("error"), "code": .string("INTERNAL_ERROR")])
        event.ack?.send([ack])
        ServiceMetrics.acked(
            event.name,
            outcome: reply.errorCode ?? "ok",
            after: .now - event.receivedAt
        )
    }

    private func dispatch(_ event: IncomingEvent, from socket: Socket, userId: String) async -> EventOutcome {
        await dispatcher.dispatch(
            event: event.name,
            arguments: event.arguments.map { Data($0.text.utf8) },
            connection: SocketCaller(userId: userId, socket: socket)
        )
    }

    /// The event's work in a span `socket <event>`, whose database calls are its children; an error ack marks it.
    private func traced(_ event: IncomingEvent, from socket: Socket, userId: String) async -> EventOutcome {
        let name = MessagesChannel.ClientEvent(rawValue: event.name)?.rawValue ?? "unknown"
        return await service.spans.run(
            "socket \(name)",
            kind: .server,
            attributes: { [socketId = socket.id] in
                $0["messaging.system"] = "socket.io"
                $0["messaging.destination.name"] = MessagesChannel.namespace
                $0["socket.io.event"] = name
                $0["socket.io.socket_id"] = socketId
            }
        ) { span in
            let outcome = await dispatch(event, from: socket, userId: userId)
            if let code = outcome.errorCode {
                span?.attributes["socket.io.ack.error"] = code
                if ["INTERNAL_ERROR", "SERVICE_UNAVAILABLE"].contains(code) {
                    span?.setStatus(SpanStatus(code: .error, message: code))
                }
            }
            return outcome
        }
    }

    /// The budget the spec gives the event (`x-rate-limit`). Sends are limited by the service (shared with REST);
    /// typing and the rest have budgets of their own, and an event the spec does not declare draws from `events`.
    private func limiter(for event: String) -> RateLimiter? {
        switch MessagesChannel.ClientEvent(rawValue: event)?.rateLimit ?? .events {
        case .send: nil
        case .typing: service.limiters.typing
        case .events: service.limiters.events
        }
    }

    /// Connection state recovery for `/messages`: a session comes back only to a CONNECT of the same user.
    public static func recovery(store: any SessionStore, window: Duration) -> ConnectionStateRecovery {
        ConnectionStateRecovery(store: store, window: window, owner: { $0.data as? String })
    }

    /// The token of the CONNECT auth payload `{token}`, or of the handshake's `Authorization: Bearer` header.
    static func bearerToken(of socket: Socket) -> String? {
        if let auth = socket.handshake.auth, let object = try? auth.decode([String: String?].self),
            let token = object["token"] ?? nil, !token.isEmpty
        {
            return token.hasPrefix("Bearer ") ? String(token.dropFirst(7)) : token
        }
        if let header = socket.handshake.headers[.authorization] {
            return try? Credentials.bearerToken(fromHeader: header)
        }
        return nil
    }
}
