import APIRuntime
import Foundation
import Generated
import Logging
import SocketIO

/// Wires the `/messages` namespace: authenticates CONNECT, joins the personal room, emits `connected`, and routes
/// every event through the generated dispatcher so that each gets exactly one ack.
public enum MessagingNamespace {
    public static func install(
        on server: SocketServer,
        service: MessagingService,
        tokens: any TokenVerifying,
        logger: Logger
    ) -> Namespace {
        let namespace = server.namespace(MessagesChannel.namespace)
        let unauthorized = JSONText.object(["code": .string("UNAUTHORIZED")])
        let admissions = ConnectionAdmissions()
        let dispatcher = MessagesEventDispatcher(handler: MessagingEvents(service: service), logger: logger)
        let emitter = MessagesEventEmitter(sink: NamespaceEventSink(namespace: namespace))

        namespace.use { socket in
            guard let token = bearerToken(of: socket) else {
                ServiceMetrics.connectionRefused("unauthorized")
                throw ConnectRejection(message: "Authentication required", data: unauthorized)
            }
            let identity: TokenIdentity
            do {
                identity = try await tokens.identity(fromToken: token)
            } catch {
                ServiceMetrics.connectionRefused("unauthorized")
                let reason = (error as? APIError)?.message ?? "Invalid token"
                Logger.current.info("Socket connect refused: bad token", metadata: ["reason": "\(reason)"])
                throw ConnectRejection(message: reason, data: unauthorized)
            }
            let userId = identity.userId
            let limit = service.limiters.limits.maxConnectionsPerUser
            let room = EventPublisher.userRoom(userId)
            guard admissions.reserve(user: userId, limit: limit, connected: { namespace.sockets(in: room).count })
            else {
                ServiceMetrics.connectionRefused("per_user_limit")
                Logger.current.info("Socket connect refused: per-user limit", metadata: ["user.id": "\(userId)"])
                throw ConnectRejection(
                    message: "Too many connections for this user (at most \(limit))",
                    data: .object(["code": .string("RATE_LIMITED")])
                )
            }
            socket.data = userId
            // A socket lives no longer than its token: at `exp` the server disconnects it, and the client
            // reconnects with a fresh token (or sees "The token has expired" in connect_error).
            if let expiresAt = identity.expiresAt {
                socket.disconnect(at: .now + .seconds(max(0, expiresAt.timeIntervalSinceNow)))
            }
        }
        namespace.onConnection { socket in
            guard let userId = socket.data as? String else { return }
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
        namespace.onDisconnect { socket, reason in
            logger.info(
                "Socket disconnected",
                metadata: [
                    "socket.id": "\(socket.id)", "engine.sid": "\(socket.sessionId)",
                    "user.id": "\((socket.data as? String) ?? "-")", "reason": "\(reason.rawValue)",
                ]
            )
        }
        namespace.onAnyEvent { socket, event in
            guard let userId = socket.data as? String else { return }
            ServiceMetrics.eventReceived(event.name)
            // Sends are limited by the service (shared with REST); typing and the rest have budgets of their own.
            let limiter: RateLimiter? =
                switch event.name {
                case "send_message", "create_message": nil
                case "typing": service.limiters.typing
                default: service.limiters.events
                }
            let reply: Data
            if let wait = limiter?.acquire(userId) {
                reply = EventDispatch.errorAck(.rateLimited(retryAfterSeconds: wait))
            } else {
                reply = await dispatcher.dispatch(
                    event: event.name,
                    arguments: event.arguments.map { Data($0.text.utf8) },
                    connection: SocketCaller(userId: userId, socket: socket)
                )
            }
            // The dispatcher's answer is encoded JSON; were it ever not, the client still gets an error ack.
            let ack =
                (try? JSONText(validating: String(decoding: reply, as: UTF8.self)))
                ?? .object(["success": .false, "error": .string("error"), "code": .string("INTERNAL_ERROR")])
            event.ack?.send([ack])
            ServiceMetrics.acked(
                event.name,
                outcome: EventDispatch.errorCode(ofAck: reply) ?? "ok",
                after: .now - event.receivedAt
            )
        }
        return namespace
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

/// Generated emitters deliver through the namespace's adapter, so other nodes get the events too.
public struct NamespaceEventSink: EventSink {
    let namespace: Namespace

    public init(namespace: Namespace) {
        self.namespace = namespace
    }

    public func emit(event: String, argument: Data, to target: EventTarget, replayable: Bool) async throws {
        try await namespace.emit(
            event,
            [try JSONText(validating: String(decoding: argument, as: UTF8.self))],
            to: target.rooms,
            except: target.exceptRooms,
            recoverable: replayable
        )
    }
}
