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
    }
}
