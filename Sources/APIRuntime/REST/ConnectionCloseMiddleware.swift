import Foundation
import HTTPTypes
import Hummingbird

/// Answers a request that asked for `Connection: close` with that header: the HTTP server closes the connection
/// after the response, and a client that pools connections (node-fetch, undici) must know not to reuse it, or its
/// next request on that socket fails with a reset.
public struct ConnectionCloseMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    )
        async throws -> Response
    {
        var response = try await next(request, context)
        if let connection = request.headers[.connection],
            connection.split(separator: ",").contains(where: {
                $0.trimmingCharacters(in: .whitespaces).lowercased() == "close"
            })
        {
            response.headers[.connection] = "close"
        }
        return response
    }
}
