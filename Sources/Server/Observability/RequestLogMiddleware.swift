import Hummingbird
import Logging

/// One log line per HTTP request with method, path (never the query, which may carry credentials), status and
/// duration; the context's logger adds the request id. Engine.IO polling requests, which arrive constantly, are
/// logged at debug.
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    let quietPathPrefix: String

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        let started = ContinuousClock.now
        let level: Logger.Level = request.uri.path.hasPrefix(quietPathPrefix) ? .debug : .info
        do {
            let response = try await next(request, context)
            log(request, status: response.status.code, started: started, level: level, context: context)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            log(request, status: status, started: started, level: level, context: context)
            throw error
        }
    }

    private func log(
        _ request: Request,
        status: Int,
        started: ContinuousClock.Instant,
        level: Logger.Level,
        context: Context
    ) {
        let elapsed = ContinuousClock.now - started
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        context.logger.log(
            level: level,
            "HTTP request",
            metadata: [
                "http.method": "\(request.method.rawValue)",
                "http.path": "\(request.uri.path)",
                "http.status": "\(status)",
                "duration_ms": "\((milliseconds * 100).rounded() / 100)",
            ]
        )
    }
}
