import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import SocketIO

/// A small Socket.IO server over the SocketIO module, for live protocol tests and benchmarks.
///
/// Three sets of namespaces:
/// - `/test` (auth `{token: "secret"}`), for this project's tests: `echo` acks its arguments; `join` joins the room
///   named by its first argument; `broadcast` emits `broadcast` to a room except the sender; `ask` asks the client
///   with an ack and acks the answer; `bye` makes the server disconnect the socket; the room `observers` gets `left`
///   with the socket id and reason of every disconnect.
/// - `/messages` (any auth with a `token`), the handlers of the reference peers for side-by-side benchmarks: `echo`
///   acks its payload, `join` joins `data.room` and acks `{success:true}`, `send` emits `new_message` to
///   `data.room` except the sender and acks `{success:true}`.
/// - `/` and `/custom`, the reference test suite's: on connection `auth` with the CONNECT payload; `message` is
///   emitted back as `message-back`, `message-with-ack` is acked with its arguments.
///
/// Settings from the environment: `PORT`, `PING_INTERVAL_MS`, `PING_TIMEOUT_MS`, `CONNECT_TIMEOUT_MS`,
/// `UPGRADE_TIMEOUT_MS`,
/// `MAX_PAYLOAD`, `CORS_ORIGINS`, `LOG_LEVEL`; `PROFILE=reference` sets the test suite's (ping 300/200, connect
/// timeout 1000 ms). Handlers run on the connections' event loops; the process keeps Swift's default global
/// executor unless `NIO_GLOBAL_EXECUTOR=1`.
@main
struct EchoServer {
    static func main() async throws {
        let environment = ProcessInfo.processInfo.environment
        if environment["NIO_GLOBAL_EXECUTOR"] == "1" {
            _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        }
        var configuration = SocketServerConfiguration()
        if environment["PROFILE"] == "reference" {
            configuration.engine.pingInterval = .milliseconds(300)
            configuration.engine.pingTimeout = .milliseconds(200)
            configuration.connectTimeout = .milliseconds(1_000)
        }
        func milliseconds(_ name: String) -> Duration? {
            environment[name].flatMap(Int.init).map { .milliseconds($0) }
        }
        configuration.engine.pingInterval = milliseconds("PING_INTERVAL_MS") ?? configuration.engine.pingInterval
        configuration.engine.pingTimeout = milliseconds("PING_TIMEOUT_MS") ?? configuration.engine.pingTimeout
        configuration.connectTimeout = milliseconds("CONNECT_TIMEOUT_MS") ?? configuration.connectTimeout
        configuration.engine.upgradeTimeout = milliseconds("UPGRADE_TIMEOUT_MS") ?? configuration.engine.upgradeTimeout
        configuration.engine.maxPayload =
            environment["MAX_PAYLOAD"].flatMap(Int.init) ?? configuration.engine.maxPayload
        configuration.engine.allowedOrigins = environment["CORS_ORIGINS"].map {
            $0.split(separator: ",").map(String.init)
        }
        var logger = Logger(label: "socketio-echo")
        logger.logLevel = environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info

        let io = SocketServer(configuration: configuration, logger: logger)
        TestNamespace.configure(io.namespace("/test"))
        PeerNamespace.configure(io.namespace("/messages"))
        ReferenceSuiteNamespace.configure(io.namespace("/"))
        ReferenceSuiteNamespace.configure(io.namespace("/custom"))

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
}
