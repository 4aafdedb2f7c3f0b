import Foundation
import Logging

/// A bad or missing setting; its description is one line naming the variable.
struct ConfigurationError: Error, CustomStringConvertible {
    var description: String
}

/// Everything the server reads from the environment, read once at start-up.
struct ServerConfiguration: Sendable {
    /// `HOST`: the address to bind (default `0.0.0.0`).
    var host: String
    /// `PORT` (alias `WS_PORT`): HTTP and Socket.IO share it (default 8000).
    var port: Int
    /// `LOG_LEVEL`: trace, debug, info, notice, warning, error or critical (default info).
    var logLevel: Logger.Level
    /// `DATABASE_URL`: `postgres://user:password@host:port/database`; unset runs the embedded cluster.
    var databaseURL: String?
    /// `DATA_DIR`: where the embedded cluster keeps its files (default `./data`).
    var dataDirectory: String
    /// `JWT_SECRET`: the HS256 key, at least 32 bytes.
    var jwtSecret: String?
    /// `JWT_EXPIRATION`: lifetime in seconds of the tokens the CLI mints (default 86400).
    var jwtExpiration: Int
    /// `JWT_ISSUER` / `JWT_AUDIENCE`: when set, tokens must carry this `iss` / `aud`.
    var jwtIssuer: String?
    var jwtAudience: String?
    /// `CORS_ORIGINS`: comma-separated origins allowed from browsers; unset allows any origin.
    var corsOrigins: [String]?
    /// `SERVICE_API_KEY`: the key of the provisioning endpoints; unset disables them.
    var serviceAPIKey: String?

    init(environment: [String: String]) throws {
        host = environment["HOST"] ?? "0.0.0.0"
        let portText = environment["PORT"] ?? environment["WS_PORT"] ?? "8000"
        guard let port = Int(portText), (1...65535).contains(port) else {
            let name = environment["PORT"] != nil ? "PORT" : "WS_PORT"
            throw ConfigurationError(description: "\(name) must be a port number from 1 to 65535, not '\(portText)'")
        }
        self.port = port
        let levelText = environment["LOG_LEVEL"] ?? "info"
        guard let level = Logger.Level(rawValue: levelText.lowercased()) else {
            throw ConfigurationError(
                description: "LOG_LEVEL must be one of trace, debug, info, notice, warning, error, critical"
            )
        }
        logLevel = level
        databaseURL = environment["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
        if let databaseURL, (try? DatabaseLocation(url: databaseURL)) == nil {
            throw ConfigurationError(
                description: "DATABASE_URL must look like postgres://user:password@host:5432/database"
            )
        }
        dataDirectory = environment["DATA_DIR"] ?? "data"
        jwtSecret = environment["JWT_SECRET"].flatMap { $0.isEmpty ? nil : $0 }
        if let jwtSecret, jwtSecret.utf8.count < 32 {
            throw ConfigurationError(description: "JWT_SECRET must be at least 32 bytes long (HS256)")
        }
        let expirationText = environment["JWT_EXPIRATION"] ?? "86400"
        guard let expiration = Int(expirationText), expiration > 0 else {
            throw ConfigurationError(description: "JWT_EXPIRATION must be a positive number of seconds")
        }
        jwtExpiration = expiration
        jwtIssuer = environment["JWT_ISSUER"].flatMap { $0.isEmpty ? nil : $0 }
        jwtAudience = environment["JWT_AUDIENCE"].flatMap { $0.isEmpty ? nil : $0 }
        corsOrigins = environment["CORS_ORIGINS"].flatMap { value in
            let origins = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
                !$0.isEmpty
            }
            return origins.isEmpty ? nil : origins
        }
        serviceAPIKey = environment["SERVICE_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The JWT secret, which every command that checks or mints tokens needs.
    func requireJWTSecret() throws -> String {
        guard let jwtSecret else {
            throw ConfigurationError(description: "JWT_SECRET is required (at least 32 bytes)")
        }
        return jwtSecret
    }
}
