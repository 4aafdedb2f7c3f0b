import Foundation
import LocalPostgres
import Logging
import PostgresNIO

/// Where the database is: a `DATABASE_URL`, or the embedded cluster under the data folder.
struct DatabaseLocation: Sendable {
    var host: String
    var port: Int
    var username: String
    var password: String?
    var database: String

    init(url: String) throws {
        guard let components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme),
            let host = components.host, !host.isEmpty
        else {
            throw ConfigurationError(
                description: "DATABASE_URL must look like postgres://user:password@host:5432/database"
            )
        }
        self.host = host
        self.port = components.port ?? 5432
        self.username = components.user ?? "postgres"
        self.password = components.password
        let path = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        self.database = path.isEmpty ? username : path
    }

    func clientConfiguration() -> PostgresClient.Configuration {
        PostgresClient.Configuration(
            host: host,
            port: port,
            username: username,
            password: password,
            database: database,
            tls: .disable
        )
    }
}

/// The embedded default: a private cluster in `DATA_DIR/postgres` and a database `messaging`.
struct EmbeddedDatabase: Sendable {
    static let databaseName = "messaging"
    let cluster: LocalPostgresCluster

    init(dataDirectory: String, logger: Logger) throws {
        let directory = URL(fileURLWithPath: dataDirectory, isDirectory: true).appendingPathComponent("postgres")
        cluster = try LocalPostgresCluster(directory: directory.standardizedFileURL, logger: logger)
    }

    func start() throws -> PostgresClient.Configuration {
        try cluster.start()
        try cluster.createDatabase(Self.databaseName)
        return PostgresClient.Configuration(
            unixSocketPath: cluster.socketPath,
            username: LocalPostgresCluster.superuser,
            password: nil,
            database: Self.databaseName
        )
    }
}
