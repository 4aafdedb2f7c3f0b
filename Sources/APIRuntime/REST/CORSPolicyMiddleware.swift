import HTTPTypes
import Hummingbird

/// CORS for the REST API: origins in the list (or any origin when the list is nil) get the CORS headers with
/// credentials and preflight answers; a request from any other origin is refused with 403 and the envelope.
public struct CORSPolicyMiddleware<Context: RequestContext>: RouterMiddleware {
    let allowedOrigins: [String]?

    public init(allowedOrigins: [String]?) {
        self.allowedOrigins = allowedOrigins
    }

    public func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    )
        async throws -> Response
    {
        guard let origin = request.headers[.origin] else { return try await next(request, context) }
        guard allowedOrigins?.contains(origin) ?? true else {
            return APIError.forbidden("Origin \(origin) is not allowed").response()
        }
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            var headers = corsHeaders(origin)
            headers[.accessControlAllowMethods] = "GET, POST, PUT, PATCH, DELETE"
            headers[.accessControlAllowHeaders] =
                request.headers[.accessControlRequestHeaders] ?? "Authorization, Content-Type"
            headers[.accessControlMaxAge] = "600"
            return Response(status: .noContent, headers: headers)
        }
        var response = try await next(request, context)
        for field in corsHeaders(origin) { response.headers[field.name] = field.value }
        return response
    }

    private func corsHeaders(_ origin: String) -> HTTPFields {
        [
            .accessControlAllowOrigin: origin,
            .accessControlAllowCredentials: "true",
            .vary: "Origin",
            .accessControlExposeHeaders: "Retry-After",
        ]
    }
}
