import Foundation
import HTTPTypes

/// The one error type handlers throw: a code from the spec's `ErrorCode`, a human message, field details.
///
/// REST turns it into the error envelope with the code's status; sockets turn it into an error ack. The
/// message is shown to clients, so it never carries SQL, stack traces or other server internals.
public struct APIError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A machine-readable error code; the raw values are the spec's `ErrorCode` enum.
    public struct Code: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
        public var rawValue: String
        public var status: HTTPResponse.Status

        public init(rawValue: String) {
            self.rawValue = rawValue
            self.status = Self.all.first { $0.rawValue == rawValue }?.status ?? .internalServerError
        }

        init(_ rawValue: String, _ status: HTTPResponse.Status) {
            self.rawValue = rawValue
            self.status = status
        }

        public var description: String { rawValue }

        public static let badRequest = Code("BAD_REQUEST", .badRequest)
        public static let unauthorized = Code("UNAUTHORIZED", .unauthorized)
        public static let forbidden = Code("FORBIDDEN", .forbidden)
        public static let notFound = Code("NOT_FOUND", .notFound)
        public static let methodNotAllowed = Code("METHOD_NOT_ALLOWED", .methodNotAllowed)
        public static let conflict = Code("CONFLICT", .conflict)
        public static let payloadTooLarge = Code("PAYLOAD_TOO_LARGE", .contentTooLarge)
        public static let validationFailed = Code("VALIDATION_FAILED", .unprocessableContent)
        /// A message with contact details while the contract does not allow sharing them (`CONTACT_FILTER=block`).
        public static let contactDetails = Code("CONTACT_DETAILS", .unprocessableContent)
        public static let rateLimited = Code("RATE_LIMITED", .tooManyRequests)
        public static let unknownEvent = Code("UNKNOWN_EVENT", .notFound)
        public static let serviceUnavailable = Code("SERVICE_UNAVAILABLE", .serviceUnavailable)
        public static let internalError = Code("INTERNAL_ERROR", .internalServerError)

        static let all: [Code] = [
            .badRequest, .unauthorized, .forbidden, .notFound, .methodNotAllowed, .conflict, .payloadTooLarge,
            .validationFailed, .contactDetails, .rateLimited, .unknownEvent, .serviceUnavailable, .internalError,
        ]
    }

    public var code: Code
    public var message: String
    public var details: [FieldProblem]
    /// Extra response headers, such as `Retry-After` for `RATE_LIMITED` or `Allow` for 405.
    public var headers: HTTPFields

    public init(_ code: Code, _ message: String, details: [FieldProblem] = [], headers: HTTPFields = [:]) {
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers
    }

    public var status: HTTPResponse.Status { code.status }

    public var description: String { "\(code.rawValue): \(message)" }

    /// A one-line text for places without structure (socket acks): the message, then each field problem.
    public var summary: String {
        guard !details.isEmpty else { return message }
        return details.map { $0.field.isEmpty ? $0.message : "\($0.field): \($0.message)" }.joined(separator: "; ")
    }

    public static func badRequest(_ message: String, details: [FieldProblem] = []) -> APIError {
        APIError(.badRequest, message, details: details)
    }

    public static func unauthorized(_ message: String = "Authentication required") -> APIError {
        APIError(.unauthorized, message)
    }

    public static func forbidden(_ message: String) -> APIError { APIError(.forbidden, message) }

    public static func notFound(_ message: String) -> APIError { APIError(.notFound, message) }

    public static func conflict(_ message: String) -> APIError { APIError(.conflict, message) }

    public static func validationFailed(_ details: [FieldProblem]) -> APIError {
        APIError(.validationFailed, "The request does not satisfy the schema", details: details)
    }

    public static func serviceUnavailable(_ message: String = "The service is temporarily unavailable") -> APIError {
        APIError(.serviceUnavailable, message)
    }

    public static func rateLimited(retryAfterSeconds: Int) -> APIError {
        var headers = HTTPFields()
        headers[.retryAfter] = String(retryAfterSeconds)
        return APIError(.rateLimited, "Too many requests; retry in \(retryAfterSeconds) s", headers: headers)
    }
}
