import ArgumentParser
import Foundation
import Handlers
import NIOCore
import NIOPosix

/// The messaging server executable: `serve` (default), `migrate`, `seed-demo`, `token`, `settings`.
@main
struct MessagingServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "messaging-server",
        abstract: "Real-time messaging for marketplace contracts: REST + Socket.IO over PostgreSQL.",
        subcommands: [Serve.self, Migrate.self, SeedDemo.self, Token.self, SettingsTable.self],
        defaultSubcommand: Serve.self
    )

    /// Runs Swift Concurrency's jobs on SwiftNIO's event loops, the ones Hummingbird and PostgresNIO do their I/O
    /// on, so that an event's way from the socket to the database and back stays on those threads instead of
    /// hopping to the global pool and back at every `await` (each hop is a thread wake-up). `EVENT_LOOP_THREADS`
    /// sets how many there are; it has to be read before the first use of the event loops (a bad value is reported
    /// when the configuration is read).
    static func main() async {
        if let reader = try? await ConfigurationSources.reader(),
            let threads = try? Settings.eventLoopThreads.read(from: reader)
        {
            NIOSingletons.groupLoopCountSuggestion = threads
        }
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        await main(nil)
    }
}

/// Reads the configuration, or exits with one line naming the bad variable.
func loadConfiguration() async throws -> ServerConfiguration {
    do {
        let configuration = try ServerConfiguration(reader: try await ConfigurationSources.reader())
        LoggingSetup.bootstrap(
            format: configuration.logFormat,
            level: configuration.logLevel,
            metadataProvider: configuration.tracesExporter == .otlp ? TracingSetup.logMetadata : nil
        )
        return configuration
    } catch let error as ConfigurationError {
        FileHandle.standardError.write(Data("configuration error: \(error)\n".utf8))
        throw ExitCode.failure
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the server (the default).")

    func run() async throws {
        let configuration = try await loadConfiguration()
        try await ServerApp(configuration: configuration).serve()
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply the database migrations and exit.")

    func run() async throws {
        let configuration = try await loadConfiguration()
        try await ServerApp(configuration: configuration).withDatabase { client, logger in
            let applied = try await Migrations.run(on: client, logger: logger)
            try await SearchLanguage.apply(configuration.searchLanguage, on: client, logger: logger)
            print(
                applied.isEmpty
                    ? "Schema is up to date."
                    : "Applied migrations: \(applied.map(String.init).joined(separator: ", "))"
            )
        }
    }
}

struct Token: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Mint a development token for a user id.")

    @Option(help: "The user id (the token's sub claim).")
    var user: String

    func run() async throws {
        let configuration = try await loadConfiguration()
        let tokens = await JWTTokens(
            secret: try configuration.requireJWTSecret(),
            issuer: configuration.jwtIssuer,
            audience: configuration.jwtAudience
        )
        print(try await tokens.mint(userId: user, lifetime: TimeInterval(configuration.jwtExpiration)))
    }
}

struct SettingsTable: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settings",
        abstract: "Print every setting with its default and meaning (the README's table with --markdown)."
    )

    @Flag(help: "Print the table as Markdown.")
    var markdown = false

    func run() async throws {
        print(markdown ? Settings.markdownTable : Settings.plainList, terminator: "")
    }
}
