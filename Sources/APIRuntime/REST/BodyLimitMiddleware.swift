import Hummingbird
import Metrics
import NIOCore

/// Bounds every request body (except under `exemptPathPrefix`, which has limits of its own): a declared
/// `Content-Length` over the limit is refused before reading, and a body that grows past it while being read is
/// refused too; both are 413 with the error envelope. The accepted body is buffered for the handler.
public struct BodyLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    public let maxBytes: Int
    public let exemptPathPrefix: String?

    public init(maxBytes: Int, exemptPathPrefix: String? = nil) {
        self.maxBytes = maxBytes
        self.exemptPathPrefix = exemptPathPrefix
    }

    public func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        if let exemptPathPrefix, request.uri.path.hasPrefix(exemptPathPrefix) {
            return try await next(request, context)
        }
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > maxBytes {
            throw tooLarge()
        }
        var request = request
        do {
            _ = try await request.collectBody(upTo: maxBytes)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw tooLarge()
        } catch is NIOTooManyBytesError {
            throw tooLarge()
        }
        return try await next(request, context)
    }

    /// The 413 error, counted in `http_request_bodies_too_large_total`.
    private func tooLarge() -> APIError {
        Counter(label: "http_request_bodies_too_large_total").increment()
        return APIError(.payloadTooLarge, "The request body is larger than \(maxBytes) bytes")
    }
}
