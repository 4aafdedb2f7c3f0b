import HTTPTypes

/// The HTTP 400/403 answers of the reference server (and a 503 of this one), with their `{"code":N,"message":"…"}` bodies.
public struct EngineError: Error, Equatable, Sendable, CustomStringConvertible {
    public var code: Int
    public var message: String
    public var status: HTTPResponse.Status

    public static let unknownTransport = EngineError(code: 0, message: "Transport unknown", status: .badRequest)
    public static let unknownSession = EngineError(code: 1, message: "Session ID unknown", status: .badRequest)
    public static let badHandshakeMethod = EngineError(code: 2, message: "Bad handshake method", status: .badRequest)
    public static let badRequest = EngineError(code: 3, message: "Bad request", status: .badRequest)
    public static let forbidden = EngineError(code: 4, message: "Forbidden", status: .forbidden)
    public static let unsupportedProtocolVersion = EngineError(
        code: 5,
        message: "Unsupported protocol version",
        status: .badRequest
    )

    /// Not in the reference server: a handshake refused because the server is full or stopping (503; clients
    /// retry with their reconnection back-off).
    public static let atCapacity = EngineError(
        code: 4,
        message: "Server is at its connection limit",
        status: .serviceUnavailable
    )
    public static let shuttingDown = EngineError(
        code: 4,
        message: "Server is shutting down",
        status: .serviceUnavailable
    )

    /// Not in the reference server: a handshake from an address that holds `maxPendingSessionsPerAddress`
    /// sessions connected to nothing (429; the client's reconnection back-off retries).
    public static let tooManyPendingSessions = EngineError(
        code: 4,
        message: "Too many sessions from this address",
        status: .tooManyRequests
    )

    /// The compact JSON body.
    public var json: String { "{\"code\":\(code),\"message\":\"\(message)\"}" }

    public var description: String { json }
}
