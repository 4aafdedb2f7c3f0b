import EngineIO
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// An Engine.IO server that sends every message back to its sender (text as text, binary as binary), as the
/// Engine.IO protocol test suite's server does.
///
/// Settings from the environment: `PORT` (3000), `PING_INTERVAL_MS`, `PING_TIMEOUT_MS`, `MAX_PAYLOAD`,
/// `LOG_LEVEL`; `PROFILE=reference` sets the test suite's (ping interval 300 ms, ping timeout 200 ms).
@main
struct EchoServer {
    static func main() async throws {
        let environment = ProcessInfo.processInfo.environment
        var configuration = EngineConfiguration()
        if environment["PROFILE"] == "reference" {
            configuration.pingInterval = .milliseconds(300)
            configuration.pingTimeout = .milliseconds(200)
        }
        func milliseconds(_ name: String) -> Duration? {
            environment[name].flatMap(Int.init).map { .milliseconds($0) }
        }
        configuration.pingInterval = milliseconds("PING_INTERVAL_MS") ?? configuration.pingInterval
        configuration.pingTimeout = milliseconds("PING_TIMEOUT_MS") ?? configuration.pingTimeout
        configuration.maxPayload = environment["MAX_PAYLOAD"].flatMap(Int.init) ?? configuration.maxPayload
        var logger = Logger(label: "engineio-echo")
        logger.logLevel = environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info

        let engine = EngineServer(configuration: configuration, logger: logger, handler: Echo())
        let router = Router()
        router.get("/health") { _, _ in "ok" }
        engine.addRoutes(to: router)
        let app = Application(
            router: router,
            server: engine.httpServer(),
            configuration: .init(address: .hostname("127.0.0.1", port: environment["PORT"].flatMap(Int.init) ?? 3000)),
            services: [engine],
            logger: logger
        )
        try await app.runService()
    }
}

/// Every session gets an echoing handler.
struct Echo: EngineServerHandler {
    func sessionOpened(_ connection: EngineConnection) -> any EngineConnectionHandler {
        Echoing(connection: connection)
    }
}

final class Echoing: EngineConnectionHandler {
    let connection: EngineConnection

    init(connection: EngineConnection) {
        self.connection = connection
    }

    func received(_ messages: [EngineMessage]) {
        connection.send(messages)
    }

    func closed(_ reason: EngineCloseReason) {}
}
