import Hummingbird

/// Answers what no route handles (an unknown path, a body Hummingbird refused) with the error envelope, so every
/// answer of the API has the same shape.
public struct ErrorEnvelopeMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    )
        async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch {
            let apiError = APIError(from: error)
            if apiError.code == .notFound, (error as? HTTPError)?.status == .notFound {
                return APIError.notFound("No route for \(request.method.rawValue) \(request.uri.path)").response()
            }
            return apiError.response()
        }
    }
}
