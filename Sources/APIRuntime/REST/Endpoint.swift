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

    /// The methods a generated route answers with 405 when the spec does not declare them on its path (HEAD and
    /// OPTIONS are left to the HTTP server and the CORS middleware).
    public static let answeredMethods: [HTTPRequest.Method] = [
        .get, .put, .post, .patch, .delete, .trace, HTTPRequest.Method("QUERY")!,
    ]

    /// The methods of `answeredMethods` that are not in `allowed`.
    public static func undeclaredMethods(allowed: [String]) -> [HTTPRequest.Method] {
        answeredMethods.filter { !allowed.contains($0.rawValue) }
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
