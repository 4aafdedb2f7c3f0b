import Hummingbird

/// A span per REST request (Hummingbird's `TracingMiddleware`), named by its route; the Engine.IO transport's
/// requests under `exemptPathPrefix` are long-polls of a session rather than requests of the API, and get none.
struct RequestTracingMiddleware<Context: RequestContext>: RouterMiddleware {
    let exemptPathPrefix: String
    private let tracing = TracingMiddleware<Context>()

    init(exemptPathPrefix: String) {
        self.exemptPathPrefix = exemptPathPrefix
    }

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        if request.uri.path.hasPrefix(exemptPathPrefix) { return try await next(request, context) }
        return try await tracing.handle(request, context: context, next: next)
    }
}
