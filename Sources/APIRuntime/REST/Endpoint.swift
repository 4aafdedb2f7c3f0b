import HTTPTypes
import Hummingbird
import Logging

/// What every generated route runs around its handler: errors become the envelope, never a bare 500.
public enum Endpoint {
    /// Runs `work`, turning any thrown error into the error envelope. Errors that are not `APIError`s are
    /// logged (they are bugs or outages) and answered as `INTERNAL_ERROR` without their details.
    public static func run(
        operation: String,
        context: some RequestContext,
        _ work: () async throws -> Response
    ) async -> Response {
        do {
            return try await work()
        } catch {
            let apiError = APIError(from: error)
            if apiError.code == .internalError {
                context.logger.error(
                    "Unhandled error",
                    metadata: ["operation": "\(operation)", "error": "\(String(reflecting: type(of: error)))"]
                )
            }
            return apiError.response()
        }
    }

    /// The 405 answer for a method the spec does not declare on a path, with the `Allow` header.
    public static func methodNotAllowed(allow: [String]) -> Response {
        var headers = HTTPFields()
        headers[.allow] = allow.joined(separator: ", ")
        return APIError(
            .methodNotAllowed,
            "Method not allowed; use \(allow.joined(separator: " or "))",
            headers: headers
        )
        .response()
    }
}
