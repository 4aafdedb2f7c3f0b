import Foundation
import LocalPostgres
import Logging
import NIOSSL
import PostgresNIO

/// Where the database is: a `DATABASE_URL`, or the embedded cluster under the data folder.
///
/// The URL's `sslmode` is libpq's: `disable` (the default), `prefer` (TLS when the server offers it, unverified),
/// `require` (TLS or no connection; the certificate is checked against `sslrootcert` when one is given, as libpq
/// does), `verify-ca` (the chain must lead to `sslrootcert`, or to the system's roots) and `verify-full` (the
/// chain, and the host name or address in the certificate).
struct DatabaseLocation: Sendable {
    enum TLSMode: String, Sendable, CaseIterable {
        case disable
        case prefer
        case require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    var host: String
    var port: Int
    var username: String
    var password: String?
    var database: String
    var tlsMode: TLSMode = .disable
    /// `sslrootcert`: a PEM file of the certificates the server's chain must lead to.
    var rootCertificates: [NIOSSLCertificate]?

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
        let query = components.queryItems ?? []
        if let text = query.last(where: { $0.name == "sslmode" })?.value {
            guard let mode = TLSMode(rawValue: text) else {
                let modes = TLSMode.allCases.map(\.rawValue).joined(separator: ", ")
                throw ConfigurationError(description: "DATABASE_URL sslmode must be one of \(modes), not '\(text)'")
            }
            tlsMode = mode
        }
        if let file = query.last(where: { $0.name == "sslrootcert" })?.value, !file.isEmpty {
            do {
                rootCertificates = try NIOSSLCertificate.fromPEMFile(file)
            } catch {
                throw ConfigurationError(
                    description: "DATABASE_URL sslrootcert '\(file)' is not a readable PEM certificate file"
                )
            }
            guard rootCertificates?.isEmpty == false else {
                throw ConfigurationError(description: "DATABASE_URL sslrootcert '\(file)' holds no certificate")
            }
        }
    }

    /// How the server's certificate is checked, in libpq's terms (`require` checks the chain only when a root file
    /// is given).
    var certificateVerification: CertificateVerification {
        switch tlsMode {
        case .disable, .prefer: .none
        case .require: rootCertificates == nil ? .none : .noHostnameVerification
        case .verifyCA: .noHostnameVerification
        case .verifyFull: .fullVerification
        }
    }

    func clientConfiguration() -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS =
            switch tlsMode {
            case .disable: .disable
            case .prefer: .prefer(tlsConfiguration())
            case .require, .verifyCA, .verifyFull: .require(tlsConfiguration())
            }
        return PostgresClient.Configuration(
            host: host,
            port: port,
            username: username,
            password: password,
            database: database,
            tls: tls
        )
    }

    private func tlsConfiguration() -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = certificateVerification
        if let rootCertificates { configuration.trustRoots = .certificates(rootCertificates) }
        return configuration
    }

    /// Opens one connection as the pool will, so that a certificate the server's chain fails is reported at start
    /// in one line instead of the pool retrying it in the background; nil when it worked or failed otherwise (the
    /// database may be starting; the pool keeps trying).
    func tlsFailure(logger: Logger) async -> String? {
        guard tlsMode != .disable else { return nil }
        do {
            let context = try NIOSSLContext(configuration: tlsConfiguration())
            let configuration = PostgresConnection.Configuration(
                host: host,
                port: port,
                username: username,
                password: password,
                database: database,
                tls: tlsMode == .prefer ? .prefer(context) : .require(context)
            )
            let connection = try await PostgresConnection.connect(
                configuration: configuration,
                id: 0,
                logger: logger
            )
            try await connection.close()
            return nil
        } catch {
            // The pool's error hides its cause; the cause (a TLS handshake failure) is what the operator needs.
            let cause = (error as? PSQLError)?.underlying ?? error
            let text = String(describing: cause)
            guard text.contains("SSL") || text.contains("TLS") || text.contains("certificate") else { return nil }
            return "database TLS: cannot connect to \(host):\(port) with sslmode=\(tlsMode.rawValue): \(text)"
        }
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
