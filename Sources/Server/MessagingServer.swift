import ArgumentParser
import Foundation
import Hummingbird
import Logging

/// The messaging server executable: `serve` (default) runs HTTP + Socket.IO on one port.
@main
struct MessagingServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "messaging-server",
        abstract: "Real-time messaging for marketplace contracts: REST + Socket.IO.",
        subcommands: [Serve.self],
        defaultSubcommand: Serve.self
    )
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the server (the default).")

    func run() async throws {
        let configuration: ServerConfiguration
        do {
            configuration = try ServerConfiguration(environment: ProcessInfo.processInfo.environment)
        } catch let error as ConfigurationError {
            print("configuration error: \(error)")
            throw ExitCode.failure
        }
        var logger = Logger(label: "messaging-server")
        logger.logLevel = configuration.logLevel
        let router = Router()
        router.addSpecRoutes()
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port)),
            logger: logger
        )
        logger.info("Listening on http://\(configuration.host):\(configuration.port) (spec at /api/openapi.yaml)")
        try await app.runService()
    }
}
