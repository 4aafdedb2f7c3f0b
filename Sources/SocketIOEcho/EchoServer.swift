import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import SocketIO

/// A tiny Socket.IO server over the SocketIO module, for live protocol tests and the echo benchmark.
///
/// Namespace `/test` (auth `{token: "secret"}`): `echo` acks its arguments; `join` joins the room named by its
/// first argument; `broadcast` emits `broadcast` to a room except the sender; `ask` asks the client with an ack
/// and acks the answer; `bye` makes the server disconnect the socket; the room `observers` gets `left` with the
/// socket id and reason of every disconnect. Settings from the environment: `PORT`,
/// `PING_INTERVAL_MS`, `PING_TIMEOUT_MS`, `CONNECT_TIMEOUT_MS`, `MAX_PAYLOAD`, `CORS_ORIGINS`.
@main
struct EchoServer {
    static func main() async throws {
        let environment = ProcessInfo.processInfo.environment
        var configuration = SocketServerConfiguration()
        func milliseconds(_ name: String) -> Duration? {
            environment[name].flatMap(Int.init).map { .milliseconds($0) }
        }
        configuration.pingInterval = milliseconds("PING_INTERVAL_MS") ?? configuration.pingInterval
        configuration.pingTimeout = milliseconds("PING_TIMEOUT_MS") ?? configuration.pingTimeout
        configuration.connectTimeout = milliseconds("CONNECT_TIMEOUT_MS") ?? configuration.connectTimeout
        configuration.maxPayload = environment["MAX_PAYLOAD"].flatMap(Int.init) ?? configuration.maxPayload
        configuration.allowedOrigins = environment["CORS_ORIGINS"].map { $0.split(separator: ",").map(String.init) }
        var logger = Logger(label: "socketio-echo")
        logger.logLevel = environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info

        let io = SocketServer(configuration: configuration, logger: logger)
        configureTestNamespace(io.namespace("/test"))

        let router = Router()
        router.get("/health") { _, _ in "ok" }
        io.addRoutes(to: router)
        let port = environment["PORT"].flatMap(Int.init) ?? 3000
        let app = Application(
            router: router,
            server: io.httpServer(),
            configuration: .init(address: .hostname("127.0.0.1", port: port)),
            services: [io],
            logger: logger
        )
        try await app.runService()
    }

    static func configureTestNamespace(_ namespace: Namespace) {
        namespace.use { socket in
            guard socket.handshake.auth == #"{"token":"secret"}"# else {
                throw ConnectRejection(message: "Not authorized", data: #"{"code":"UNAUTHORIZED"}"#)
            }
        }
        namespace.onConnection { socket in
            socket.emit("welcome", ["\"\(socket.id)\""])
        }
        namespace.on("echo") { _, event in
            event.ack?.send(event.arguments)
        }
        namespace.on("binary") { socket, event in
            // Echo a binary event back as a binary event, and acknowledge with the attachments too.
            socket.emit("binary", event.arguments, attachments: event.attachments)
            event.ack?.send(event.arguments, attachments: event.attachments)
        }
        namespace.on("join") { socket, event in
            let room = event.arguments.first.flatMap { try? JSONDecoder().decode(String.self, from: Data($0.utf8)) }
            if let room { socket.join(room) }
            event.ack?.send([room == nil ? "false" : "true"])
        }
        namespace.on("broadcast") { socket, event in
            let room = event.arguments.first.flatMap { try? JSONDecoder().decode(String.self, from: Data($0.utf8)) }
            try? await socket.namespace.emit(
                "broadcast",
                Array(event.arguments.dropFirst()),
                to: room.map { [$0] } ?? [],
                except: [socket.id]
            )
            event.ack?.send(["true"])
        }
        namespace.on("ask") { socket, event in
            let answer = try? await socket.emitWithAck("question", event.arguments, timeout: .seconds(5))
            event.ack?.send(answer?.arguments ?? ["\"no answer\""], attachments: answer?.attachments ?? [])
        }
        namespace.on("bye") { socket, _ in
            socket.disconnect()
        }
        // Sockets in the room "observers" hear of every disconnect with its reason.
        namespace.onDisconnect { socket, reason in
            try? await namespace.emit(
                "left",
                ["\"\(socket.id)\"", "\"\(reason.rawValue)\""],
                to: ["observers"]
            )
        }
    }
}
